using FluentValidation;
using MediatR;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Delivery;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Features.WebhookEndpoints;

/// <summary>
/// <c>PATCH /v1/webhook_endpoints/{id}</c> <c>{url?, event_types?, description?, enabled?}</c> (admin): changes what is given.
/// <c>enabled: true</c> turns a disabled endpoint back on (its reason and failure streak are cleared; pending deliveries
/// resume, those past their retry window give up at their next failure); <c>enabled: false</c> pauses it.
/// </summary>
internal static class UpdateWebhookEndpoint
{
    /// <summary>The JSON body: at least one field.</summary>
    /// <param name="Url">New URL (same rules as creation).</param>
    /// <param name="EventTypes">New types, replacing the old ones.</param>
    /// <param name="Description">New note.</param>
    /// <param name="Enabled">Turn deliveries on or off.</param>
    internal sealed record Body(string? Url, IReadOnlyList<string>? EventTypes, string? Description, bool? Enabled)
    {
        // Hand-written: the route's id joins the body here.
        public Request ToRequest(string id) => new(id, Url, EventTypes, Description, Enabled);
    }

    internal sealed record Request(string Id, string? Url, IReadOnlyList<string>? EventTypes, string? Description, bool? Enabled) : IRequest<WebhookEndpointView>;

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator(WebhookTargets targets)
        {
            RuleFor(r => r.Id).MustBeEndpointId();
            RuleFor(r => r.Url).MustBeTarget(targets).When(r => r.Url is not null);
            RuleFor(r => r.EventTypes).MustBeEventTypes().When(r => r.EventTypes is not null);
            RuleFor(r => r.Description).MaximumLength(500).WithMessage("description is at most 500 characters.");
            RuleFor(r => r).Must(r => r.Url is not null || r.EventTypes is not null || r.Description is not null || r.Enabled is not null)
                .WithName("body").WithMessage("Give at least one of url, event_types, description, enabled.");
        }
    }

    internal sealed class Handler(WebhooksDbContext db, TimeProvider clock, EndpointDirectory directory) : IRequestHandler<Request, WebhookEndpointView>
    {
        public async Task<WebhookEndpointView> Handle(Request request, CancellationToken cancellationToken)
        {
            var endpoint = await EndpointRules.FindAsync(db, request.Id, cancellationToken);
            var now = clock.GetUtcNow();
            endpoint.Url = request.Url?.Trim() ?? endpoint.Url;
            endpoint.EventTypes = request.EventTypes is { } types ? string.Join(' ', types) : endpoint.EventTypes;
            endpoint.Description = request.Description?.Trim() ?? endpoint.Description;
            if (request.Enabled is true && !endpoint.Enabled)
            {
                endpoint.Enabled = true;
                endpoint.DisabledReason = null;
                endpoint.DisabledAt = null;
                endpoint.FailingSince = null;
            }
            else if (request.Enabled is false && endpoint.Enabled)
            {
                endpoint.Enabled = false;
                endpoint.DisabledReason = "Disabled by an operator.";
                endpoint.DisabledAt = now;
            }

            endpoint.UpdatedAt = now;
            await db.SaveChangesAsync(cancellationToken);
            directory.Invalidate();
            return WebhookEndpointView.Of(endpoint);
        }
    }
}
