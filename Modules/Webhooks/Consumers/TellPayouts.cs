using Monetization.IntegrationEvents.Marketplace;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Delivery;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Consumers;

/// <summary><c>PayoutSent</c> → <c>marketplace.payout.paid</c> (no user: a developer's payout).</summary>
internal sealed class TellPayouts(WebhooksDbContext db, TimeProvider clock, WebhookFanOut fanOut, WebhookDeliveryWorker worker)
    : PublicEventConsumer<PayoutSent>(db, clock, fanOut, worker)
{
    protected override IEnumerable<PublicEvent> Translate(PayoutSent e) =>
        [new PublicEvent(WebhookEventTypes.PayoutPaid, null, e.OccurredAt, new { e.PayoutId, e.DeveloperId, e.Period, e.Amount, e.Currency, e.TransferId })];
}
