using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Referrals.Data;
using Monetization.Referrals.Domain;

namespace Monetization.Referrals.Consumers;

/// <summary>
/// Clawback (the issue): when the buyer's first payment is fully refunded within <c>Referrals:HoldDays</c> of conversion,
/// both grants of the referral are reversed (a negative ledger entry and an <c>AccessCreditReversed</c> each), exactly
/// once. The refund is matched to the first payment by charge id, then invoice id, then (only when the first payment's
/// charge is unknown and the refund names no other invoice) by user and amount. A partial refund reverses nothing; a
/// refund after the hold window is recorded on the referral and the credit is kept. A full refund that arrives before
/// the user's FirstPaidTransition is remembered, so that conversion then grants nothing.
/// </summary>
internal sealed class ClawBackReferralCredit(ReferralsDbContext db, TimeProvider clock, IOptions<ReferralsOptions> options)
    : IdempotentConsumer<PaymentRefunded, ReferralsDbContext>(db, clock)
{
    protected override async Task HandleAsync(PaymentRefunded refund, CancellationToken cancellationToken)
    {
        var fullyRefunded = refund.FullyRefunded || (refund.ChargeAmount > 0 && refund.AmountRefunded >= refund.ChargeAmount);
        if (!fullyRefunded)
        {
            return;
        }

        var referral = await FindFirstPaymentReferralAsync(refund, cancellationToken);
        if (referral is null)
        {
            await RememberEarlyRefundAsync(refund, cancellationToken);
            return;
        }

        referral.RefundedAt ??= refund.OccurredAt;
        var withinHold = refund.OccurredAt - referral.ConvertedAt!.Value <= TimeSpan.FromDays(options.Value.HoldDays);
        if (!withinHold || referral.ReversedAt is not null)
        {
            return;
        }

        var now = Clock.GetUtcNow();
        var grants = await Db.CreditEntries
            .Where(e => e.ReferralId == referral.Id && e.Kind == CreditEntryKinds.Grant)
            .OrderBy(e => e.Sequence)
            .ToListAsync(cancellationToken);
        if (grants.Count == 0)
        {
            // Converted without reward: nothing to take back.
            return;
        }

        referral.ReversedAt = now;
        referral.RewardStatus = RewardStatuses.Reversed;
        referral.RewardReason = RewardReasons.FirstPaymentRefunded;
        await Db.SaveChangesAsync(cancellationToken);
        foreach (var grant in grants)
        {
            var erased = grant.UserId == referral.ReferrerUserId ? referral.ReferrerErasedAt is not null : referral.ReferredErasedAt is not null;
            await CreditLedgerWriter.ReverseAsync(Db, now, grant, CreditReasons.RefundClawback, erased, cancellationToken);
        }
    }

    private async Task<Referral?> FindFirstPaymentReferralAsync(PaymentRefunded refund, CancellationToken cancellationToken)
    {
        var converted = Db.Referrals.Where(r => r.ConvertedAt != null);
        var byCharge = await converted.FirstOrDefaultAsync(r => r.FirstChargeId == refund.ChargeId, cancellationToken);
        if (byCharge is not null)
        {
            return byCharge;
        }

        if (refund.InvoiceId is { Length: > 0 } invoice)
        {
            var byInvoice = await converted.FirstOrDefaultAsync(r => r.FirstInvoiceId == invoice, cancellationToken);
            if (byInvoice is not null)
            {
                return byInvoice;
            }
        }

        if (refund.UserId is not { Length: > 0 } userId)
        {
            return null;
        }

        // By user only when nothing contradicts that this is the first payment: its charge was not known at conversion,
        // the refund names no invoice (one it names is not the first, or the lookup above would have matched), and the
        // refunded charge is exactly the amount first paid.
        var byUser = await converted.FirstOrDefaultAsync(r => r.ReferredUserId == userId, cancellationToken);
        return byUser is { FirstChargeId: null }
            && refund.InvoiceId is null
            && byUser.FirstAmountPaid == refund.ChargeAmount
            && string.Equals(byUser.FirstCurrency, refund.Currency, StringComparison.Ordinal)
            ? byUser
            : null;
    }

    private async Task RememberEarlyRefundAsync(PaymentRefunded refund, CancellationToken cancellationToken)
    {
        if (refund.UserId is not { Length: > 0 } userId
            || !await Db.Referrals.AnyAsync(r => r.ReferredUserId == userId && r.ConvertedAt == null, cancellationToken)
            || await Db.EarlyRefunds.AnyAsync(e => e.ChargeId == refund.ChargeId, cancellationToken))
        {
            return;
        }

        Db.EarlyRefunds.Add(new EarlyRefund { ChargeId = refund.ChargeId, InvoiceId = refund.InvoiceId, UserId = userId, RefundedAt = refund.OccurredAt });
    }
}
