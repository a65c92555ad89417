using Monetization.IntegrationEvents.Usage;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Delivery;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Consumers;

/// <summary><c>UsageThresholdCrossed</c> → <c>usage.threshold_crossed</c>, or <c>usage.threshold_resolved</c> when usage is back under it.</summary>
internal sealed class TellUsageThresholds(WebhooksDbContext db, TimeProvider clock, WebhookFanOut fanOut, WebhookDeliveryWorker worker)
    : PublicEventConsumer<UsageThresholdCrossed>(db, clock, fanOut, worker)
{
    protected override IEnumerable<PublicEvent> Translate(UsageThresholdCrossed e) =>
    [
        new PublicEvent(e.Resolved ? WebhookEventTypes.UsageThresholdResolved : WebhookEventTypes.UsageThresholdCrossed, e.UserId, e.OccurredAt, new
        {
            e.UserId,
            e.Meter,
            e.Period,
            e.Threshold,
            e.Used,
            Limit = e.Unlimited ? (long?)null : e.Limit,
            e.Unlimited,
        }),
    ];
}
