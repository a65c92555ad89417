using System.Net;
using StripeNet = Stripe;

namespace Monetization.Subscriptions.Features.HandleStripeEvents;

/// <summary>What re-fetching from Stripe came to.</summary>
/// <param name="Subscription">The subscription as Stripe returns it now, or null.</param>
/// <param name="Invoice">The invoice as Stripe returns it now (one never stored, or the invoice of a refunded PaymentIntent), or null.</param>
/// <param name="Missing">Ids Stripe had nothing for, though the event refers to them (issue 16): a subscription or invoice that
/// answers 404, or a PaymentIntent no invoice was paid with (a one-time payment). The event is applied from its own object, as
/// before the re-fetch rule (sample or foreign events; retrying would not change Stripe's answer). Empty when none.</param>
/// <param name="Failure">Why the fetch failed otherwise (Stripe down, rate limited, refused): the event is stored as failed and retried.</param>
internal sealed record RefetchResult(StripeNet.Subscription? Subscription, StripeNet.Invoice? Invoice, IReadOnlySet<string> Missing, Exception? Failure);

/// <summary>
/// The one place the webhook path calls Stripe (docs/adr/0040): <c>GET /v1/subscriptions/{id}</c> after a tie or for a
/// subscription whose state is not stored yet, and <c>GET /v1/invoices/{id}</c> for an invoice never stored (reached through
/// <c>GET /v1/invoice_payments</c> from a refunded PaymentIntent). Kept to this method so the calls are easy to move to
/// another Stripe client. Called outside the intake's writer loop and any transaction.
/// </summary>
internal static class StripeRefetch
{
    /// <summary>Fetches what <paramref name="required"/> names; never throws a Stripe error (see <see cref="RefetchResult"/>).</summary>
    public static async Task<RefetchResult> FetchAsync(StripeNet.StripeClient stripe, RefetchRequiredException required, CancellationToken ct)
    {
        var missing = new HashSet<string>(StringComparer.Ordinal);
        StripeNet.Subscription? subscription = null;
        StripeNet.Invoice? invoice = null;
        try
        {
            if (required.SubscriptionId is { } subscriptionId)
            {
                subscription = await GetOrMissingAsync(
                    () => stripe.V1.Subscriptions.GetAsync(subscriptionId, cancellationToken: ct), subscriptionId, required.UnknownState, missing);
            }

            var invoiceId = required.InvoiceId;
            if (required.PaymentIntentId is { } paymentIntentId)
            {
                var payments = await stripe.V1.InvoicePayments.ListAsync(
                    new StripeNet.InvoicePaymentListOptions
                    {
                        Payment = new StripeNet.InvoicePaymentPaymentOptions { Type = "payment_intent", PaymentIntent = paymentIntentId },
                        Limit = 1,
                    },
                    cancellationToken: ct);
                invoiceId = payments.Data.FirstOrDefault()?.InvoiceId;
                if (invoiceId is null)
                {
                    missing.Add(paymentIntentId); // not an invoice's payment (a one-time checkout): the refund stands alone
                }
            }

            if (invoiceId is not null)
            {
                invoice = await GetOrMissingAsync(() => stripe.V1.Invoices.GetAsync(invoiceId, cancellationToken: ct), invoiceId, unknownState: true, missing);
                if (invoice is null && required.PaymentIntentId is { } pi)
                {
                    missing.Add(pi);
                }
            }

            return new RefetchResult(subscription, invoice, missing, null);
        }
        catch (StripeNet.StripeException e)
        {
            return new RefetchResult(null, null, missing, e);
        }
    }

    private static async Task<T?> GetOrMissingAsync<T>(Func<Task<T>> get, string id, bool unknownState, HashSet<string> missing)
        where T : class
    {
        try
        {
            return await get();
        }
        catch (StripeNet.StripeException e) when (e.HttpStatusCode == HttpStatusCode.NotFound && unknownState)
        {
            missing.Add(id);
            return null;
        }
    }
}
