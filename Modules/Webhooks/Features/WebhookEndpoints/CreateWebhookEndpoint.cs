using FluentValidation;
using MediatR;
using Monetization.BuildingBlocks.Billing;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Delivery;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Features.WebhookEndpoints;

/// <summary>
/// <c>POST /v1/webhook_endpoints</c> <c>{url, event_types[], description}</c> (admin, issue 18): registers a URL of the
/// product's for the given public event types. The answer carries the signing secret (<c>whsec_…</c>), shown this once;
/// later only a rotation shows a new one. Events that happen from now on are delivered; earlier ones are not.
/// </summary>
internal static class CreateWebhookEndpoint
{
    /// <summary>The JSON body.</summary>
    /// <param name="Url">Absolute https URL (http in Development), at most 2,048 characters, not internal (see docs/modules/webhooks.md).</param>
    /// <param name="EventTypes">Types to receive, or <c>["*"]</c>.</param>
    /// <param name="Description">Optional note, at most 500 characters.</param>
    internal sealed record Body(string? Url, IReadOnlyList<string>? EventTypes, string? Description)
    {
        public Request ToRequest() => new(Url, EventTypes, Description);
    }

    internal sealed record Request(string? Url, IReadOnlyList<string>? EventTypes, string? Description) : IRequest<Response>;

    /// <summary>The endpoint and its secret.</summary>
    /// <param name="Endpoint">The endpoint.</param>
    /// <param name="Secret">The signing secret, <c>whsec_</c> + base64; not shown again.</param>
    internal sealed record Response(WebhookEndpointView Endpoint, string Secret);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator(WebhookTargets targets)
        {
            RuleFor(r => r.Url).MustBeTarget(targets);
            RuleFor(r => r.EventTypes).MustBeEventTypes();
            RuleFor(r => r.Description).MaximumLength(500).WithMessage("description is at most 500 characters.");
        }
    }

    internal sealed class Handler(WebhooksDbContext db, TimeProvider clock, EndpointDirectory directory) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var endpoint = new WebhookEndpoint
            {
                Id = PrefixedId.New("we"),
                Url = request.Url!.Trim(),
                EventTypes = string.Join(' ', request.EventTypes!),
                Description = request.Description?.Trim(),
                Secret = StandardWebhookSignature.NewSecret(),
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Endpoints.Add(endpoint);
            await db.SaveChangesAsync(cancellationToken);
            directory.Invalidate();
            return new Response(WebhookEndpointView.Of(endpoint), endpoint.Secret);
        }
    }
}
