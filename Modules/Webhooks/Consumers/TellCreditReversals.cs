using Monetization.IntegrationEvents.Referrals;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Delivery;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Consumers;

/// <summary><c>AccessCreditReversed</c> → <c>referral.credit_reversed</c>.</summary>
internal sealed class TellCreditReversals(WebhooksDbContext db, TimeProvider clock, WebhookFanOut fanOut, WebhookDeliveryWorker worker)
    : PublicEventConsumer<AccessCreditReversed>(db, clock, fanOut, worker)
{
    protected override IEnumerable<PublicEvent> Translate(AccessCreditReversed e) =>
    [
        new PublicEvent(WebhookEventTypes.ReferralCreditReversed, e.UserId, e.OccurredAt, new
        {
            e.UserId,
            e.GrantId,
            e.ReversalId,
            e.Days,
            e.Reason,
            e.SourceId,
            e.CreditUntil,
        }),
    ];
}
