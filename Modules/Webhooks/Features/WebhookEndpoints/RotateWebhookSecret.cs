using FluentValidation;
using MediatR;
using Microsoft.Extensions.Options;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Features.WebhookEndpoints;

/// <summary>
/// <c>POST /v1/webhook_endpoints/{id}/rotate_secret</c> (admin): a new signing secret, shown this once. For
/// <c>Webhooks:SecretOverlapHours</c> (24) the old one signs too: <c>webhook-signature</c> then carries both signatures,
/// space-separated (Standard Webhooks), so the product can switch its verifier at its own pace.
/// </summary>
internal static class RotateWebhookSecret
{
    internal sealed record Request(string Id) : IRequest<Response>;

    /// <summary>The new secret.</summary>
    /// <param name="Id">The endpoint.</param>
    /// <param name="Secret">The new secret, <c>whsec_…</c>; not shown again.</param>
    /// <param name="PreviousSecretExpiresAt">Until when the old secret signs too, UTC.</param>
    internal sealed record Response(string Id, string Secret, DateTimeOffset PreviousSecretExpiresAt);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.Id).MustBeEndpointId();
    }

    internal sealed class Handler(WebhooksDbContext db, TimeProvider clock, IOptions<WebhooksOptions> options) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var endpoint = await EndpointRules.FindAsync(db, request.Id, cancellationToken);
            var now = clock.GetUtcNow();
            endpoint.PreviousSecret = endpoint.Secret;
            endpoint.PreviousSecretExpiresAt = now.AddHours(options.Value.SecretOverlapHours);
            endpoint.Secret = StandardWebhookSignature.NewSecret();
            endpoint.UpdatedAt = now;
            await db.SaveChangesAsync(cancellationToken);
            return new Response(endpoint.Id, endpoint.Secret, endpoint.PreviousSecretExpiresAt.Value);
        }
    }
}
