using FluentValidation;
using MediatR;
using Monetization.Webhooks.Data;

namespace Monetization.Webhooks.Features.WebhookEndpoints;

/// <summary><c>GET /v1/webhook_endpoints/{id}</c> (admin): one endpoint (404 when unknown), without its secret.</summary>
internal static class GetWebhookEndpoint
{
    internal sealed record Request(string Id) : IRequest<WebhookEndpointView>;

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.Id).MustBeEndpointId();
    }

    internal sealed class Handler(WebhooksDbContext db) : IRequestHandler<Request, WebhookEndpointView>
    {
        public async Task<WebhookEndpointView> Handle(Request request, CancellationToken cancellationToken) =>
            WebhookEndpointView.Of(await EndpointRules.FindAsync(db, request.Id, cancellationToken));
    }
}
