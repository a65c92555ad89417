using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Delivery;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Features.WebhookDeliveries;

/// <summary>
/// <c>POST /v1/webhook_deliveries/{id}/retry</c> (admin): sends a delivery again now, whatever its status (a failed one
/// gets one more attempt; a delivered one is sent again with the same <c>webhook-id</c>, which the receiver may dedupe).
/// 404 when unknown; 409 when its endpoint is disabled (enable it first) or an attempt is in flight.
/// </summary>
internal static class RetryWebhookDelivery
{
    internal sealed record Request(string Id) : IRequest<WebhookDeliveryView>;

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator() =>
            RuleFor(r => r.Id).MustBeIdOf("whd", "webhook delivery");
    }

    internal sealed class Handler(WebhooksDbContext db, TimeProvider clock, WebhookDeliveryWorker worker) : IRequestHandler<Request, WebhookDeliveryView>
    {
        public async Task<WebhookDeliveryView> Handle(Request request, CancellationToken cancellationToken)
        {
            var delivery = await db.Deliveries.SingleOrDefaultAsync(d => d.Id == request.Id, cancellationToken)
                ?? throw ProblemException.NotFound("Webhook delivery", request.Id);
            var now = clock.GetUtcNow();
            if (!await db.Endpoints.AnyAsync(e => e.Id == delivery.EndpointId && e.Enabled, cancellationToken))
            {
                throw ProblemException.Conflict("endpoint_disabled", $"Webhook endpoint '{delivery.EndpointId}' is disabled; enable it (PATCH enabled: true) first.");
            }

            if (delivery.LeaseUntil > now)
            {
                throw ProblemException.Conflict("delivery_in_flight", $"Webhook delivery '{delivery.Id}' is being sent right now.");
            }

            delivery.Status = DeliveryStatuses.Pending;
            delivery.NextAttemptAt = now;
            delivery.DeliveredAt = null;
            if (delivery.GiveUpAt < now)
            {
                delivery.GiveUpAt = now; // one more attempt; a failure gives up again
            }

            await db.SaveChangesAsync(cancellationToken);
            worker.Wake();
            return WebhookDeliveryView.Of(delivery);
        }
    }
}
