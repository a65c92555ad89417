using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Referrals.Data;
using Monetization.Referrals.Domain;

namespace Monetization.Referrals.Consumers;

/// <summary>
/// The seed's <c>convert_referral</c>, completed: on a referred user's <see cref="FirstPaidTransition"/>, stamps
/// <c>converted_at</c>/<c>credited_at</c> and grants <c>Referrals:CreditDays</c> to the buyer and to the referrer, each
/// anchored at max(now, that user's credit_until). Exactly once per referral: the consumer's inbox stops redeliveries of
/// one event, the referral's <c>ConvertedAt</c> (read and written in one IMMEDIATE SQLite transaction) stops a second
/// first-payment event, and the ledger's unique idempotency keys stop anything that slips past both.
/// Rules (the issue): a buyer sharing the referrer's Stripe customer or e-mail converts without reward; the referrer is
/// not rewarded beyond <c>Referrals:MaxRewardsPerReferrerPerMonth</c> or after erasure (the buyer still is); a first
/// payment already fully refunded (refund delivered first) converts without reward.
/// </summary>
internal sealed class ConvertReferralOnFirstPayment(ReferralsDbContext db, TimeProvider clock, IOptions<ReferralsOptions> options)
    : IdempotentConsumer<FirstPaidTransition, ReferralsDbContext>(db, clock)
{
    protected override async Task HandleAsync(FirstPaidTransition paid, CancellationToken cancellationToken)
    {
        if (await Erasure.IsStaleAsync(Db, paid.UserId, paid.OccurredAt, cancellationToken))
        {
            return;
        }

        var now = Clock.GetUtcNow();
        var buyer = await RecordPaymentAsync(paid, now, cancellationToken);

        var referral = await Db.Referrals.SingleOrDefaultAsync(r => r.ReferredUserId == paid.UserId, cancellationToken);
        if (referral is null || referral.ConvertedAt is not null)
        {
            // No referral: nothing to convert. Already converted: a replay, a renewal or a second first-payment event.
            return;
        }

        referral.ConvertedAt = paid.OccurredAt;
        referral.FirstInvoiceId = paid.InvoiceId;
        referral.FirstChargeId = paid.ChargeId;
        referral.FirstAmountPaid = paid.AmountPaid;
        referral.FirstCurrency = paid.Currency;

        var (status, reason) = await DecideAsync(referral, buyer, paid, now, cancellationToken);
        referral.RewardStatus = status;
        referral.RewardReason = reason;
        if (status == RewardStatuses.NotRewarded)
        {
            await Db.SaveChangesAsync(cancellationToken);
            return;
        }

        referral.CreditedAt = now;
        await Db.SaveChangesAsync(cancellationToken);
        var days = options.Value.CreditDays;
        await CreditLedgerWriter.GrantAsync(Db, now, paid.UserId, days, CreditReasons.ReferralBuyer, referral.Id, cancellationToken);
        if (status == RewardStatuses.Rewarded)
        {
            await CreditLedgerWriter.GrantAsync(Db, now, referral.ReferrerUserId, days, CreditReasons.ReferralReferrer, referral.Id, cancellationToken);
        }
    }

    private async Task<ReferralUser> RecordPaymentAsync(FirstPaidTransition paid, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var buyer = await Db.FindOrAddUserAsync(paid.UserId, now, cancellationToken);

        buyer.FirstPaidAt ??= paid.OccurredAt;
        buyer.StripeCustomerId = string.IsNullOrEmpty(paid.StripeCustomerId) ? buyer.StripeCustomerId : paid.StripeCustomerId;
        buyer.EmailNormalized = EmailAddress.Normalize(paid.Email) ?? buyer.EmailNormalized;
        buyer.UpdatedAt = now;
        return buyer;
    }

    private async Task<(string Status, string? Reason)> DecideAsync(
        Referral referral, ReferralUser buyer, FirstPaidTransition paid, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var refundedFirst = await Db.EarlyRefunds.AnyAsync(
            e => e.UserId == paid.UserId && ((paid.ChargeId != null && e.ChargeId == paid.ChargeId) || e.InvoiceId == paid.InvoiceId),
            cancellationToken);
        if (refundedFirst)
        {
            referral.RefundedAt = await Db.EarlyRefunds
                .Where(e => e.UserId == paid.UserId && ((paid.ChargeId != null && e.ChargeId == paid.ChargeId) || e.InvoiceId == paid.InvoiceId))
                .Select(e => (DateTimeOffset?)e.RefundedAt)
                .FirstOrDefaultAsync(cancellationToken);
            return (RewardStatuses.NotRewarded, RewardReasons.FirstPaymentRefunded);
        }

        if (referral.ReferrerErasedAt is not null)
        {
            return (RewardStatuses.BuyerOnly, RewardReasons.ReferrerErased);
        }

        var referrer = await Db.Users.FindAsync([referral.ReferrerUserId], cancellationToken);
        if (referrer is not null)
        {
            if (referrer.StripeCustomerId is { Length: > 0 } customer && customer == buyer.StripeCustomerId)
            {
                return (RewardStatuses.NotRewarded, RewardReasons.SameStripeCustomer);
            }

            if (referrer.EmailNormalized is { Length: > 0 } email && email == buyer.EmailNormalized)
            {
                return (RewardStatuses.NotRewarded, RewardReasons.SameEmail);
            }
        }

        var month = BillingPeriod.Containing(now);
        var (start, end) = (month.Start, month.End);
        var rewardsThisMonth = await Db.CreditEntries.CountAsync(
            g => g.UserId == referral.ReferrerUserId
                && g.Kind == CreditEntryKinds.Grant
                && g.Reason == CreditReasons.ReferralReferrer
                && g.CreatedAt >= start && g.CreatedAt < end
                && !Db.CreditEntries.Any(r => r.ReversesEntryId == g.Id),
            cancellationToken);
        return rewardsThisMonth >= options.Value.MaxRewardsPerReferrerPerMonth
            ? (RewardStatuses.BuyerOnly, RewardReasons.ReferrerMonthlyCap)
            : (RewardStatuses.Rewarded, null);
    }
}
