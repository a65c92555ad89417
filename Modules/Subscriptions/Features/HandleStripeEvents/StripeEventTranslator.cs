using System.Text.Json;
using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;
using static Monetization.Subscriptions.Features.HandleStripeEvents.StripeObjects;
using StripeNet = Stripe;

namespace Monetization.Subscriptions.Features.HandleStripeEvents;

/// <summary>
/// Translates one verified Stripe event into local state and integration events, inside the caller's transaction
/// (nothing is saved here), by handing it to the translator of the Stripe object it carries: <see cref="CheckoutSessionEvents"/>,
/// <see cref="SubscriptionEvents"/>, <see cref="InvoiceEvents"/>, <see cref="ChargeEvents"/>; <c>account.updated</c> is
/// published here. These are the only readers of Stripe payloads, bound to Stripe.net's models of API version
/// 2026-10-28.endive (which read 2026-07-29.dahlia events too: periods on <c>items.data[]</c>, an invoice's subscription at
/// <c>parent.subscription_details.subscription</c>, line prices at <c>pricing.price_details.price</c>). Returns
/// <c>processed</c> or <c>ignored</c>.
/// </summary>
internal sealed class StripeEventTranslator(
    StripeEventScope scope,
    CheckoutSessionEvents checkoutSessions,
    SubscriptionEvents subscriptions,
    InvoiceEvents invoices,
    ChargeEvents charges,
    SubscriptionsDbContext db,
    TimeProvider clock)
{
    /// <summary>
    /// Deserialises the object of an event whose type is handled, so the work is done on the caller's thread (the request)
    /// rather than in the intake's writer loop; the result is kept on the event. A malformed object is left for
    /// <see cref="ApplyAsync"/> to report.
    /// </summary>
    public static void Prepare(StripeEventEnvelope evt)
    {
        try
        {
            _ = ObjectTypeOf(evt.Type) switch
            {
                "checkout.session" => evt.GetObject<StripeNet.Checkout.Session>(),
                "subscription" => evt.GetObject<StripeNet.Subscription>(),
                "invoice" => evt.GetObject<StripeNet.Invoice>(),
                "invoice_payment" => evt.GetObject<StripeNet.InvoicePayment>(),
                "charge" => evt.GetObject<StripeNet.Charge>(),
                "account" => (object)evt.GetObject<StripeNet.Account>(),
                _ => null,
            };
        }
        catch (JsonException)
        {
            // Reported when the event is applied (stored as failed).
        }
    }

    /// <summary>
    /// Read-only: what <paramref name="evt"/> refers to and must be fetched from Stripe before it is applied (the conditions of
    /// <see cref="SubscriptionEvents.RequireSubscriptionState"/> and <see cref="InvoiceEvents.RequireInvoiceAsync"/>), or null. A batch asks first, so such an
    /// event is set aside for the fetch instead of rolling the whole batch back.
    /// </summary>
    public async Task<RefetchRequiredException?> ToFetchAsync(StripeEventEnvelope evt, CancellationToken ct)
    {
        switch (evt.Type)
        {
            case "invoice_payment.paid":
                return Try(() => evt.GetObject<StripeNet.InvoicePayment>()) is { InvoiceId: { Length: > 0 } paidInvoice }
                    && await scope.FindInvoiceAsync(paidInvoice, ct) is null
                    ? RefetchRequiredException.ForInvoice(paidInvoice)
                    : null;
            case "charge.refunded":
                return Try(() => evt.GetObject<StripeNet.Charge>()) is { } charge && await charges.RefundNeedsInvoiceAsync(charge, ct)
                    ? RefetchRequiredException.ForPayment(charge.PaymentIntentId!)
                    : null;
            case "invoice.payment_failed":
                var failed = Try(() => evt.GetObject<StripeNet.Invoice>());
                if (failed is { Id: { Length: > 0 } failedId } && await scope.FindInvoiceAsync(failedId, ct) is null)
                {
                    // Both at once: the invoice, and the subscription when its state is missing too.
                    return RefetchRequiredException.ForInvoice(failedId, await subscriptions.ToFetchAsync(evt, ct));
                }

                break;
        }

        return await subscriptions.ToFetchAsync(evt, ct) is { } subscriptionId ? new RefetchRequiredException(subscriptionId, unknownState: true) : null;
    }

    /// <summary>Loads what a batch of events names, tracked, for the batch's transaction (<see cref="StripeEventScope.PreloadAsync"/>).</summary>
    public Task PreloadAsync(IEnumerable<StripeEventEnvelope> events, CancellationToken ct) => scope.PreloadAsync(events, ct);

    /// <summary>Ends a batch (<see cref="StripeEventScope.ForgetPreloaded"/>).</summary>
    public void ForgetPreloaded() => scope.ForgetPreloaded();

    /// <summary>
    /// True for event types whose handling queries by columns other than keys (a refund looks its invoice up by charge): in a
    /// batch, what earlier events changed must be saved before such an event is applied, or the query would not see it.
    /// </summary>
    public static bool ReadsBeyondKeys(string type) => type == "charge.refunded";

    /// <summary>
    /// Applies <paramref name="evt"/>; <paramref name="fetched"/> is what was fetched from Stripe after a tie, or because the
    /// event refers to a subscription or invoice whose state we do not have yet (issue 16: see <see cref="SubscriptionEvents.RequireSubscriptionState"/>
    /// and <see cref="InvoiceEvents.RequireInvoiceAsync"/>).
    /// </summary>
    /// <param name="evt">The event.</param>
    /// <param name="fetched">What Stripe returned for the objects the event needed, or null.</param>
    /// <param name="ct">Cancels the work.</param>
    /// <exception cref="RefetchRequiredException">The event needs a subscription's or invoice's current state from Stripe first.</exception>
    public Task<string> ApplyAsync(StripeEventEnvelope evt, RefetchResult? fetched, CancellationToken ct)
    {
        scope.BeginEvent(fetched);
        return Apply(evt, fetched?.Subscription, ct);
    }

    private Task<string> Apply(StripeEventEnvelope evt, StripeNet.Subscription? refetched, CancellationToken ct) => evt.Type switch
    {
        "checkout.session.completed" or "checkout.session.async_payment_succeeded" => checkoutSessions.CompletedAsync(evt, refetched, ct),
        "customer.subscription.created" or "customer.subscription.updated" or "customer.subscription.deleted"
            or "customer.subscription.trial_will_end" or "customer.subscription.paused" or "customer.subscription.resumed"
            => subscriptions.ApplyAsync(evt, refetched, ct),
        "invoice.paid" or "invoice.payment_succeeded" => invoices.PaidAsync(evt, refetched, ct),
        "invoice.payment_failed" => invoices.PaymentFailedAsync(evt, refetched, ct),
        "invoice.voided" => invoices.VoidedAsync(evt, ct),
        "invoice_payment.paid" => invoices.InvoicePaymentPaidAsync(evt, ct),
        "charge.refunded" => charges.RefundedAsync(evt, ct),
        "account.updated" => AccountUpdatedAsync(evt),
        _ => Task.FromResult(StripeEventStatuses.Ignored),
    };

    private Task<string> AccountUpdatedAsync(StripeEventEnvelope evt)
    {
        var account = evt.GetObject<StripeNet.Account>();
        var now = clock.GetUtcNow();
        db.AddIntegrationEvent(new ConnectedAccountUpdated(IntegrationEventIds.New(now), now, account.Id, account.ChargesEnabled, account.PayoutsEnabled, account.DetailsSubmitted));
        return Task.FromResult(StripeEventStatuses.Processed);
    }
}
