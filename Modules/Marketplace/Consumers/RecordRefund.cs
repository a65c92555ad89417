using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;
using Monetization.Marketplace.Features.StripeCalls;

namespace Monetization.Marketplace.Consumers;

/// <summary>
/// <c>PaymentRefunded</c>: each marketplace revenue event paid by the refunded charge (matched by payment intent, invoice
/// or charge) gets a negative revenue event. Refunds are cumulative (<c>AmountRefunded</c> of <c>ChargeAmount</c>): an
/// event's refunded gross becomes its pro-rata share of the cumulative refund (all of it when fully refunded), so partial,
/// repeated and out-of-order refund events converge on the same totals. The developer's part of the refund is the split
/// of the cumulative refund minus what was already taken back, so the parts always sum.
/// <para>Not paid out yet: the negative event nets against the developer's next payout (it is never held). Already paid
/// out: a transfer reversal of the developer's part on the original transfer. The reversal is recorded as a
/// <see cref="StripeCall"/> in this transaction (idempotency key <c>marketplace:reversal:{refund event id}</c>) and made by the
/// <see cref="StripeCallRunner"/> after it commits, so the module's write lock is not held across the Stripe call. Until
/// it is settled the refund is not netted against a payout; when Stripe refuses it (the connected account lacks the
/// balance) the negative event becomes a debt carried into the next payout.</para>
/// </summary>
internal sealed class RecordRefund(MarketplaceDbContext db, TimeProvider clock, RevenueLedger ledger, StripeCallRunner runner)
    : IdempotentConsumer<PaymentRefunded, MarketplaceDbContext>(db, clock)
{
    protected override async Task HandleAsync(PaymentRefunded integrationEvent, CancellationToken cancellationToken)
    {
        var originals = await Db.RevenueEvents
            .Where(e => e.Kind != RevenueKinds.Refund && e.Gross > 0
                && ((integrationEvent.PaymentIntentId != null && e.StripePaymentIntentId == integrationEvent.PaymentIntentId)
                    || (integrationEvent.InvoiceId != null && e.StripeInvoiceId == integrationEvent.InvoiceId)
                    || e.StripeChargeId == integrationEvent.ChargeId))
            .OrderBy(e => e.EarnedAt).ThenBy(e => e.Id)
            .ToListAsync(cancellationToken);
        if (originals.Count == 0 || integrationEvent.ChargeAmount <= 0)
        {
            return;
        }

        foreach (var original in originals)
        {
            var target = integrationEvent.FullyRefunded || integrationEvent.AmountRefunded >= integrationEvent.ChargeAmount
                ? original.Gross
                : (long)((Int128)original.Gross * integrationEvent.AmountRefunded / integrationEvent.ChargeAmount);
            var refund = await ledger.RecordRefundAsync(
                original, target, $"refund:{original.Id}:{integrationEvent.ChargeId}:{integrationEvent.AmountRefunded}", integrationEvent.OccurredAt, cancellationToken);
            if (refund is null || refund.DeveloperShare == 0 || original.PaidAt is null || original.TransferId is null)
            {
                continue;
            }

            // Recorded here, made by the StripeCallRunner after this transaction commits (no lock held across the call).
            var call = new StripeCall
            {
                Id = PrefixedId.New("scall"),
                Kind = StripeCallKinds.TransferReversal,
                IdempotencyKey = $"marketplace:reversal:{refund.Id}",
                RevenueEventId = refund.Id,
                TransferId = original.TransferId,
                Amount = -refund.DeveloperShare,
                Currency = refund.Currency,
                NextAttemptAt = Clock.GetUtcNow(),
                CreatedAt = Clock.GetUtcNow(),
            };
            refund.ReversalCallId = call.Id;
            Db.StripeCalls.Add(call);
            Db.AfterCommit(runner.Wake);
        }
    }
}
