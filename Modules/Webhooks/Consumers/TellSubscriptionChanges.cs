using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Delivery;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Consumers;

/// <summary>
/// <c>SubscriptionChanged</c> → <c>subscription.changed</c> (always); <c>access.changed</c> when the access tier or plan differs
/// from the previous publication (or a first publication grants paid access); <c>payment.recovered</c> when a
/// <c>past_due</c> subscription is <c>active</c> again. Each carries <c>version</c>: the product keeps the highest it saw
/// per user and ignores an older one (delivery order is not promised).
/// </summary>
internal sealed class TellSubscriptionChanges(WebhooksDbContext db, TimeProvider clock, WebhookFanOut fanOut, WebhookDeliveryWorker worker)
    : PublicEventConsumer<SubscriptionChanged>(db, clock, fanOut, worker)
{
    protected override IEnumerable<PublicEvent> Translate(SubscriptionChanged e)
    {
        yield return new PublicEvent(WebhookEventTypes.SubscriptionChanged, e.UserId, e.OccurredAt, new
        {
            e.UserId,
            e.Plan,
            e.Status,
            e.AccessTier,
            e.AccessReason,
            e.AccessUntil,
            e.Cadence,
            e.CurrentPeriodEnd,
            e.CancelAtPeriodEnd,
            e.StripeCustomerId,
            e.StripeSubscriptionId,
            e.Version,
        });

        var firstPaid = e.PreviousAccessTier is null && e.AccessTier == "paid";
        var changed = e.PreviousAccessTier is not null && (e.PreviousAccessTier != e.AccessTier || e.PreviousPlan != e.Plan);
        if (firstPaid || changed)
        {
            yield return new PublicEvent(WebhookEventTypes.AccessChanged, e.UserId, e.OccurredAt, new
            {
                e.UserId,
                From = e.PreviousAccessTier is null ? null : new { Tier = e.PreviousAccessTier, Plan = e.PreviousPlan },
                To = new { Tier = e.AccessTier, e.Plan },
                Reason = e.AccessReason,
                Until = e.AccessUntil,
                e.Version,
            });
        }

        if (e.PreviousStatus == "past_due" && e.Status == "active")
        {
            yield return new PublicEvent(WebhookEventTypes.PaymentRecovered, e.UserId, e.OccurredAt, new
            {
                e.UserId,
                e.Plan,
                e.StripeSubscriptionId,
                e.CurrentPeriodEnd,
                e.Version,
            });
        }
    }
}
