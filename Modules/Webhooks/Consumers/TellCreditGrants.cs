using Monetization.IntegrationEvents.Referrals;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Delivery;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Consumers;

/// <summary>
/// <c>AccessCreditGranted</c> → <c>referral.credit_granted</c>; one of reason <c>referral_buyer</c> (every conversion credits
/// the referred user) is also <c>referral.converted</c>.
/// </summary>
internal sealed class TellCreditGrants(WebhooksDbContext db, TimeProvider clock, WebhookFanOut fanOut, WebhookDeliveryWorker worker)
    : PublicEventConsumer<AccessCreditGranted>(db, clock, fanOut, worker)
{
    protected override IEnumerable<PublicEvent> Translate(AccessCreditGranted e)
    {
        if (e.Reason == "referral_buyer")
        {
            yield return new PublicEvent(WebhookEventTypes.ReferralConverted, e.UserId, e.OccurredAt, new { e.UserId, ReferralId = e.SourceId, ConvertedAt = e.OccurredAt });
        }

        yield return new PublicEvent(WebhookEventTypes.ReferralCreditGranted, e.UserId, e.OccurredAt, new
        {
            e.UserId,
            e.GrantId,
            e.Days,
            e.Reason,
            e.SourceId,
            e.StartsAt,
            e.CreditUntil,
        });
    }
}
