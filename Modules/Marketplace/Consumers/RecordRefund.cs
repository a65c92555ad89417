using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;
using Monetization.Stripe;

namespace Monetization.Marketplace.Consumers;

/// <summary>
/// <c>PaymentRefunded</c>: each marketplace revenue event paid by the refunded charge (matched by payment intent, invoice
/// or charge) gets a negative revenue event. Refunds are cumulative (<c>AmountRefunded</c> of <c>ChargeAmount</c>): an
/// event's refunded gross becomes its pro-rata share of the cumulative refund (all of it when fully refunded), so partial,
/// repeated and out-of-order refund events converge on the same totals. The developer's part of the refund is the split
/// of the cumulative refund minus what was already taken back, so the parts always sum.
/// <para>Not paid out yet: the negative event nets against the developer's next payout (it is never held). Already paid
/// out: a transfer reversal of the developer's part on the original transfer (idempotency key from the refund event);
/// when Stripe refuses it (the connected account lacks the balance) the negative event stays unsettled and is carried
/// into the next payout as a debt.</para>
/// </summary>
internal sealed partial class RecordRefund(MarketplaceDbContext db, TimeProvider clock, RevenueLedger ledger, IServiceProvider services, ILogger<RecordRefund> logger)
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

            await ReverseAsync(original, refund, cancellationToken);
        }
    }

    private async Task ReverseAsync(RevenueEvent original, RevenueEvent refund, CancellationToken ct)
    {
        try
        {
            var reversal = await services.GetRequiredService<IStripeClient>().Transfers.CreateReversalAsync(
                original.TransferId!,
                new TransferReversalCreateRequest
                {
                    Amount = -refund.DeveloperShare,
                    Description = $"Refund of marketplace revenue {original.Id}",
                    Metadata = new Dictionary<string, string> { ["revenue_event_id"] = refund.Id, ["refund_of"] = original.Id },
                },
                new StripeRequestOptions { IdempotencyKey = $"marketplace:reversal:{refund.SourceId}" },
                ct);
            refund.TransferId = original.TransferId;
            refund.TransferReversalId = reversal.Id;
            refund.PaidAt = Clock.GetUtcNow();
            await ledger.AddPaidAsync(refund, refund.DeveloperShare, ct);
        }
        catch (StripeException e)
        {
            // Typically insufficient funds on the connected account: the debt is carried into the next payout.
            LogReversalRefused(logger, original.TransferId!, refund.Id, e.StripeMessage ?? e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transfer reversal on {TransferId} for refund {RefundEventId} refused ({Error}); carried into the next payout")]
    private static partial void LogReversalRefused(ILogger logger, string transferId, string refundEventId, string error);
}
