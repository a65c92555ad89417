using System.Globalization;
using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Http;
using Monetization.StripeEmulator.Shapes;
using Monetization.StripeEmulator.State;

namespace Monetization.StripeEmulator.Billing;

/// <summary>Invoices: drafting (subscription lines, pending items), finalising, paying and the Smart-Retries-like schedule.</summary>
internal sealed class Invoicing
{
    /// <summary>Days after the first failure on which payment is retried; after the last one fails, the subscription is canceled.</summary>
    public static readonly int[] RetryDays = [3, 5, 7];

    private readonly Engine _engine;

    public Invoicing(Engine engine) => _engine = engine;

    public JsonObject Draft(JsonObject customer, string currency, string billingReason, JsonObject? subscription, string collectionMethod,
        bool autoAdvance, long? daysUntilDue, string? description, JsonObject metadata, long periodStart, long periodEnd)
    {
        var invoice = InvoiceShapes.Invoice(Ids.New("in"), _engine.Now, customer, currency, billingReason, subscription?.Str("id"),
            subscription?["metadata"] as JsonObject, collectionMethod, autoAdvance, daysUntilDue, description, metadata, periodStart, periodEnd,
            _engine.PublicBaseUrl);
        _engine.Store.Add(invoice);
        return invoice;
    }

    /// <summary>Creates, finalises and tries to pay a subscription invoice for the given period.</summary>
    public JsonObject BillSubscription(JsonObject subscription, string billingReason, long periodStart, long periodEnd, bool includeItems, bool offSession,
        IEnumerable<JsonObject>? extraItems = null)
    {
        var customer = _engine.Store.Require(subscription.Str("customer"), "customer", "customer");
        var invoice = Draft(customer, subscription.Str("currency")!, billingReason, subscription, "charge_automatically", true, null, null, [], periodStart, periodEnd);
        if (includeItems)
        {
            foreach (var item in _engine.Subscriptions.Items(subscription))
            {
                var product = _engine.Store.Find(item["price"].Str("product"));
                AddLine(invoice, InvoiceShapes.SubscriptionLine(Ids.New("il"), invoice.Str("id")!, item, periodStart, periodEnd, product.Str("name") ?? "Subscription"));
            }
        }

        foreach (var extra in extraItems ?? [])
        {
            AttachItem(invoice, extra);
        }

        PullPending(invoice, subscription.Str("id"));
        subscription["latest_invoice"] = invoice.Str("id");
        _engine.Events.Emit("invoice.created", invoice);
        Finalize(invoice);
        if (invoice.Str("status") == "open")
        {
            Pay(invoice, offSession, null, throwOnDecline: false);
        }

        return invoice;
    }

    public void AddLine(JsonObject invoice, JsonObject line)
    {
        invoice.Obj("lines").Arr("data").Add(line);
        Recalculate(invoice);
    }

    public void AttachItem(JsonObject invoice, JsonObject invoiceItem)
    {
        invoiceItem["invoice"] = invoice.Str("id");
        AddLine(invoice, InvoiceShapes.ItemLine(Ids.New("il"), invoice.Str("id")!, invoiceItem));
    }

    /// <summary>Pulls the customer's pending invoice items (for this subscription, or all of them when null) into a draft.</summary>
    public void PullPending(JsonObject invoice, string? subscriptionId)
    {
        var pending = _engine.Store.All("invoiceitem")
            .Where(ii => ii.Str("customer") == invoice.Str("customer") && ii["invoice"] is null)
            .Where(ii => subscriptionId is null || ii["parent"]?["subscription_details"].Str("subscription") is null ||
                         ii["parent"]?["subscription_details"].Str("subscription") == subscriptionId)
            .Reverse()
            .ToList();
        foreach (var item in pending)
        {
            AttachItem(invoice, item);
        }
    }

    public void Recalculate(JsonObject invoice)
    {
        var total = invoice.Obj("lines").Arr("data").Sum(l => l.Long("amount"));
        invoice["subtotal"] = total;
        invoice["subtotal_excluding_tax"] = total;
        invoice["total"] = total;
        invoice["total_excluding_tax"] = total;
        var due = Math.Max(0, total);
        invoice["amount_due"] = due;
        invoice["amount_remaining"] = Math.Max(0, due - invoice.Long("amount_paid"));
        invoice["ending_balance"] = null;
    }

    public void Finalize(JsonObject invoice)
    {
        if (invoice.Str("status") != "draft")
        {
            throw ApiException.Invalid($"This invoice is already finalized, you can't re-finalize a non-draft invoice.", null, "invoice_not_editable");
        }

        var customer = _engine.Store.Require(invoice.Str("customer"), "customer", "customer");
        var sequence = customer.Long("next_invoice_sequence");
        customer["next_invoice_sequence"] = sequence + 1;
        var now = _engine.Now;
        var id = invoice.Str("id")!;
        invoice["number"] = $"{customer.Str("invoice_prefix")}-{sequence.ToString("0000", CultureInfo.InvariantCulture)}";
        invoice["status"] = "open";
        invoice["effective_at"] = now;
        invoice["automatically_finalizes_at"] = null;
        invoice["status_transitions"]!["finalized_at"] = now;
        invoice["hosted_invoice_url"] = $"{_engine.PublicBaseUrl}/invoices/{id}";
        invoice["invoice_pdf"] = $"{_engine.PublicBaseUrl}/invoices/{id}/pdf";
        invoice["starting_balance"] = 0L;
        invoice["ending_balance"] = 0L;
        Recalculate(invoice);
        _engine.Events.Emit("invoice.finalized", invoice);
        if (invoice.Long("amount_due") == 0)
        {
            MarkPaid(invoice, null);
        }
    }

    /// <summary>Attempts to collect an open invoice. A decline records the attempt, schedules the retry and (optionally) throws the 402.</summary>
    public void Pay(JsonObject invoice, bool offSession, string? paymentMethodOverride, bool throwOnDecline)
    {
        if (invoice.Str("status") == "paid")
        {
            throw ApiException.Invalid("Invoice is already paid", null, "invoice_already_paid");
        }

        if (invoice.Str("status") != "open")
        {
            throw ApiException.Invalid($"You can only pay an invoice that is open (this one is {invoice.Str("status")}).", null, "invoice_not_open");
        }

        if (invoice.Long("amount_due") == 0)
        {
            MarkPaid(invoice, null);
            return;
        }

        var subscription = _engine.Store.Find(invoice["parent"]?["subscription_details"].Str("subscription"), "subscription");
        var customer = _engine.Store.Require(invoice.Str("customer"), "customer", "customer");
        var paymentMethod = paymentMethodOverride ?? invoice.Str("default_payment_method") ?? subscription.Str("default_payment_method")
            ?? customer["invoice_settings"].Str("default_payment_method");
        var now = _engine.Now;
        invoice["attempted"] = true;
        invoice["attempt_count"] = invoice.Long("attempt_count") + 1;

        ApiException? error;
        if (paymentMethod is null)
        {
            error = new ApiException(402, "card_error", "The customer has no default payment method.", "invoice_no_payment_method");
        }
        else
        {
            var internalData = _engine.Store.Internal(invoice.Str("id")!);
            var intent = _engine.Store.Find(internalData.Str("payment_intent"), "payment_intent");
            var result = _engine.Payments.Charge(new PaymentRequest(invoice.Long("amount_due"), invoice.Str("currency")!, customer.Str("id"), paymentMethod,
                offSession, subscription is null ? "Invoice " + invoice.Str("number") : "Subscription update", [], ExistingIntent: intent,
                Email: customer.Str("email")));
            internalData["payment_intent"] = result.Intent.Str("id");
            error = result.Error;
            if (error is null)
            {
                MarkPaid(invoice, result.Intent);
                if (subscription is not null)
                {
                    _engine.Subscriptions.OnInvoicePaid(subscription, invoice);
                }

                return;
            }
        }

        var first = _engine.Store.Internal(invoice.Str("id")!).LongOrNull("first_failed_at") ?? now;
        _engine.Store.Internal(invoice.Str("id")!)["first_failed_at"] = first;
        var attempt = (int)invoice.Long("attempt_count");
        var automatic = invoice.Bool("auto_advance") && invoice.Str("collection_method") == "charge_automatically";
        var exhausted = attempt > RetryDays.Length;
        invoice["next_payment_attempt"] = automatic && !exhausted ? first + (RetryDays[attempt - 1] * 86400L) : null;
        _engine.Events.Emit("invoice.payment_failed", invoice);
        if (subscription is not null)
        {
            _engine.Subscriptions.OnInvoicePaymentFailed(subscription, invoice, automatic && exhausted);
        }

        if (throwOnDecline)
        {
            throw error;
        }
    }

    public void MarkPaid(JsonObject invoice, JsonObject? intent)
    {
        var now = _engine.Now;
        invoice["status"] = "paid";
        invoice["amount_paid"] = invoice.Long("amount_due");
        invoice["amount_remaining"] = 0L;
        invoice["next_payment_attempt"] = null;
        invoice["status_transitions"]!["paid_at"] = now;
        JsonObject? payment = null;
        if (intent is not null)
        {
            invoice["attempted"] = true;
            payment = InvoiceShapes.InvoicePayment(Ids.New("inpay"), now, invoice.Str("id")!, invoice.Long("amount_due"), invoice.Str("currency")!, intent.Str("id")!);
            invoice.Obj("payments").Arr("data").Add(payment);
        }

        _engine.Events.Emit("invoice.paid", invoice);
        _engine.Events.Emit("invoice.payment_succeeded", invoice);
        if (payment is not null)
        {
            // Since basil Stripe also reports the payment itself (object invoice_payment): which charge paid the invoice.
            _engine.Events.Emit("invoice_payment.paid", payment);
        }
    }
}
