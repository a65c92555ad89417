using Monetization.IntegrationEvents.Marketplace;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Delivery;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Consumers;

/// <summary><c>PayoutFailed</c> → <c>marketplace.payout.failed</c> (the payout stays pending and is retried).</summary>
internal sealed class TellPayoutFailures(WebhooksDbContext db, TimeProvider clock, WebhookFanOut fanOut, WebhookDeliveryWorker worker)
    : PublicEventConsumer<PayoutFailed>(db, clock, fanOut, worker)
{
    protected override IEnumerable<PublicEvent> Translate(PayoutFailed e) =>
        [new PublicEvent(WebhookEventTypes.PayoutFailed, null, e.OccurredAt, new { e.PayoutId, e.DeveloperId, e.Period, e.Amount, e.Currency, e.Error })];
}
