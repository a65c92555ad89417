using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Billing;
using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Stripe;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;
using static Monetization.Subscriptions.Features.HandleStripeEvents.StripeObjects;
using StripeNet = Stripe;

namespace Monetization.Subscriptions.Features.HandleStripeEvents;

/// <summary>
/// <c>charge.refunded</c>: what a charge's refunds add since the last report, published once as <see cref="PaymentRefunded"/>
/// with the invoice the charge paid (fetched from Stripe when the refund arrives before that invoice's events, issue 16).
/// </summary>
internal sealed class ChargeEvents(StripeEventScope scope, InvoiceEvents invoices, SubscriptionsDbContext db, TimeProvider clock)
{
    internal async Task<string> RefundedAsync(StripeEventEnvelope evt, CancellationToken ct)
    {
        var charge = evt.GetObject<StripeNet.Charge>();
        var now = clock.GetUtcNow();
        var stored = await db.Charges.FindAsync([charge.Id], ct);
        var before = stored?.AmountRefunded ?? 0;
        var refundedNow = Math.Max(0, charge.AmountRefunded - before);
        if (stored is null)
        {
            db.Charges.Add(new ChargeRecord { ChargeId = charge.Id, AmountRefunded = charge.AmountRefunded, UpdatedAt = now });
        }
        else if (charge.AmountRefunded > stored.AmountRefunded)
        {
            stored.AmountRefunded = charge.AmountRefunded;
            stored.UpdatedAt = now;
        }

        if (refundedNow == 0)
        {
            return StripeEventStatuses.Processed; // an older or repeated report of a refund already published
        }

        var pi = charge.PaymentIntentId;
        var invoice = await InvoiceOfChargeAsync(charge, ct);
        if (invoice is null && pi is not null && !scope.MissingAtStripe.Contains(pi))
        {
            // A refund delivered before its invoice's events (issue 16): the invoice is looked up at Stripe and recorded
            // (paid, with its InvoicePaid), so the refund names it and reverses what in-order delivery would.
            if (scope.FetchedInvoice is null)
            {
                throw RefetchRequiredException.ForPayment(pi);
            }

            invoice = await invoices.RecordFetchedInvoiceAsync(scope.FetchedInvoice, ct);
            invoice.ChargeId ??= charge.Id;
            invoice.PaymentIntentId ??= pi;
        }
        var customer = charge.CustomerId;
        var userId = invoice?.UserId
            ?? (customer is null ? null : await db.Accounts.AsNoTracking().Where(a => a.StripeCustomerId == customer).Select(a => a.UserId).FirstOrDefaultAsync(ct));
        db.AddIntegrationEvent(new PaymentRefunded(
            IntegrationEventIds.New(now),
            now,
            charge.Id,
            pi,
            invoice?.InvoiceId,
            userId,
            customer,
            charge.Amount,
            charge.AmountRefunded,
            refundedNow,
            charge.Currency,
            charge.Refunded));
        return StripeEventStatuses.Processed;
    }

    /// <summary>The stored invoice a charge paid (by charge id, else PaymentIntent), tracked, or null.</summary>
    private Task<InvoiceRecord?> InvoiceOfChargeAsync(StripeNet.Charge charge, CancellationToken ct)
    {
        var pi = charge.PaymentIntentId;
        return db.Invoices.FirstOrDefaultAsync(i => i.ChargeId == charge.Id || (pi != null && i.PaymentIntentId == pi), ct);
    }

    /// <summary>Read-only: whether a <c>charge.refunded</c> refunds something new of a PaymentIntent that matches no stored invoice.</summary>
    internal async Task<bool> RefundNeedsInvoiceAsync(StripeNet.Charge charge, CancellationToken ct)
    {
        if (charge.PaymentIntentId is null)
        {
            return false;
        }

        var refunded = await db.Charges.AsNoTracking().Where(c => c.ChargeId == charge.Id).Select(c => (long?)c.AmountRefunded).FirstOrDefaultAsync(ct) ?? 0;
        return charge.AmountRefunded > refunded && await InvoiceOfChargeAsync(charge, ct) is null;
    }
}
