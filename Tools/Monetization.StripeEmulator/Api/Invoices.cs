using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Http;
using Monetization.StripeEmulator.Shapes;

namespace Monetization.StripeEmulator.Api;

/// <summary><c>/v1/invoices</c>: create, retrieve, list, finalize, pay, void; <c>/v1/invoice_payments</c>: list.</summary>
internal static class Invoices
{
    public static void Map(Router router)
    {
        router.Post("/v1/invoices", Create);
        router.Get("/v1/invoices", List);
        router.Get("/v1/invoices/{id}", Retrieve);
        router.Get("/v1/invoices/{id}/lines", Lines);
        router.Post("/v1/invoices/{id}/finalize", Finalize);
        router.Post("/v1/invoices/{id}/pay", Pay);
        router.Post("/v1/invoices/{id}/void", Void);
        router.Get("/v1/invoice_payments", ListPayments);
    }

    /// <summary>
    /// <c>POST /v1/invoices/{id}/void</c>: only an open or uncollectible invoice (Stripe answers 400 otherwise); sets
    /// <c>status=void</c>, <c>status_transitions.voided_at</c>, <c>amount_remaining=0</c> and emits <c>invoice.voided</c>.
    /// </summary>
    private static JsonNode Void(ApiRequest q)
    {
        q.Form.Allow(string.Empty);
        var invoice = q.Engine.Store.Require(q.Id, "invoice", "invoice");
        if (invoice.Str("status") is not ("open" or "uncollectible"))
        {
            throw ApiException.Invalid($"You can only void an invoice that is open or uncollectible (this one is {invoice.Str("status")}).", null, "invoice_not_open");
        }

        invoice["status"] = "void";
        invoice["amount_remaining"] = 0L;
        invoice["next_payment_attempt"] = null;
        invoice["auto_advance"] = false;
        invoice["status_transitions"]!["voided_at"] = q.Now;
        q.Engine.Events.Emit("invoice.voided", invoice);
        return invoice;
    }

    /// <summary>
    /// <c>GET /v1/invoice_payments</c> filtered by <c>invoice</c>, <c>status</c> and <c>payment[type]</c> +
    /// <c>payment[payment_intent]</c> (how a charge's invoice is found since basil), newest first.
    /// </summary>
    private static JsonNode ListPayments(ApiRequest q)
    {
        q.Form.Allow("invoice payment status " + Lists.PagingParams);
        q.Form.AllowIn("payment", "type payment_intent payment_record");
        var invoiceId = q.Form.Str("invoice");
        var status = q.Form.Str("status");
        var payment = q.Form.Get("payment");
        var type = payment?.Str("type");
        var paymentIntent = payment?.Str("payment_intent");
        if (payment is not null && type is null)
        {
            throw ApiException.Missing("payment[type]");
        }

        var items = q.Engine.Store.All("invoice")
            .Where(i => invoiceId is null || i.Str("id") == invoiceId)
            .SelectMany(i => i.Obj("payments").Arr("data").OfType<JsonObject>().Reverse())
            .Where(p => (status is null || p.Str("status") == status)
                && (type is null || p["payment"].Str("type") == type)
                && (paymentIntent is null || p["payment"].Str("payment_intent") == paymentIntent));
        return Lists.Page(q.Form, items, "/v1/invoice_payments");
    }

    private static JsonNode Create(ApiRequest q)
    {
        var form = q.Form;
        form.Allow("account_tax_ids application_fee_amount auto_advance automatic_tax automatically_finalizes_at collection_method currency custom_fields customer customer_account days_until_due default_payment_method default_source default_tax_rates description discounts due_date effective_at footer from_invoice issuer metadata number on_behalf_of payment_settings pending_invoice_items_behavior rendering shipping_cost shipping_details statement_descriptor subscription transfer_data");
        var customer = q.Engine.Store.Require(form.Str("customer") is { Length: > 0 } c ? c : throw ApiException.Missing("customer"), "customer", "customer");
        var subscription = form.Str("subscription") is { Length: > 0 } s ? q.Engine.Store.Require(s, "subscription", "subscription") : null;
        var collection = form.Str("collection_method") ?? "charge_automatically";
        if (collection is not ("charge_automatically" or "send_invoice"))
        {
            throw ApiException.Invalid("Invalid collection_method: must be one of charge_automatically or send_invoice", "collection_method", "parameter_invalid_string");
        }

        var pendingBehavior = form.Str("pending_invoice_items_behavior") ?? "exclude";
        string? paymentMethod = null;
        if (form.Str("default_payment_method") is { Length: > 0 } pm)
        {
            paymentMethod = q.Engine.Store.Require(pm, "payment_method", "default_payment_method").Str("id");
        }

        var currency = form.Str("currency")?.ToLowerInvariant() ?? subscription.Str("currency") ?? "usd";
        var autoAdvance = form.Bool("auto_advance") ?? false;
        var invoice = q.Engine.Invoicing.Draft(customer, currency, "manual", subscription, collection, autoAdvance,
            form.Long("days_until_due"), form.Str("description"), q.Metadata(), q.Now, q.Now);
        invoice["default_payment_method"] = paymentMethod;
        if (autoAdvance)
        {
            invoice["automatically_finalizes_at"] = form.Long("automatically_finalizes_at") ?? q.Now + 3600;
        }

        if (pendingBehavior == "include")
        {
            q.Engine.Invoicing.PullPending(invoice, subscription.Str("id"));
        }

        q.Engine.Events.Emit("invoice.created", invoice);
        return invoice;
    }

    private static JsonNode Retrieve(ApiRequest q)
    {
        q.Form.Allow(string.Empty);
        return q.Engine.Store.Require(q.Id, "invoice", "invoice");
    }

    private static JsonNode Lines(ApiRequest q)
    {
        q.Form.Allow(Lists.PagingParams);
        var invoice = q.Engine.Store.Require(q.Id, "invoice", "invoice");
        var lines = invoice.Obj("lines").Arr("data").OfType<JsonObject>().ToList();
        return Lists.Page(q.Form, lines, $"/v1/invoices/{q.Id}/lines");
    }

    private static JsonNode List(ApiRequest q)
    {
        q.Form.Allow("collection_method customer customer_account due_date status subscription " + Lists.PagingParams);
        var customer = q.Form.Str("customer");
        var subscription = q.Form.Str("subscription");
        var status = q.Form.Str("status");
        var items = q.Engine.Store.All("invoice").Where(i =>
            (customer is null || i.Str("customer") == customer) &&
            (subscription is null || i["parent"]?["subscription_details"].Str("subscription") == subscription) &&
            (status is null || i.Str("status") == status));
        return Lists.Page(q.Form, items, "/v1/invoices");
    }

    private static JsonNode Finalize(ApiRequest q)
    {
        q.Form.Allow("auto_advance");
        var invoice = q.Engine.Store.Require(q.Id, "invoice", "invoice");
        if (q.Form.Bool("auto_advance") is { } autoAdvance)
        {
            invoice["auto_advance"] = autoAdvance;
        }

        q.Engine.Invoicing.Finalize(invoice);
        return invoice;
    }

    private static JsonNode Pay(ApiRequest q)
    {
        q.Form.Allow("forgive mandate off_session paid_out_of_band payment_method source");
        var invoice = q.Engine.Store.Require(q.Id, "invoice", "invoice");
        string? paymentMethod = null;
        if (q.Form.Str("payment_method") is { Length: > 0 } pm)
        {
            paymentMethod = q.Engine.Store.Require(pm, "payment_method", "payment_method").Str("id");
        }

        if (invoice.Str("status") == "draft")
        {
            q.Engine.Invoicing.Finalize(invoice);
        }

        if (q.Form.Bool("paid_out_of_band") == true)
        {
            if (invoice.Str("status") != "open")
            {
                throw ApiException.Invalid("Invoice is already paid", null, "invoice_already_paid");
            }

            q.Engine.Invoicing.MarkPaid(invoice, null);
            if (q.Engine.Store.Find(invoice["parent"]?["subscription_details"].Str("subscription"), "subscription") is { } subscription)
            {
                q.Engine.Subscriptions.OnInvoicePaid(subscription, invoice); // as Stripe: a past_due subscription whose invoice is paid is active
            }

            return invoice;
        }

        if (invoice.Str("status") == "paid")
        {
            throw ApiException.Invalid("Invoice is already paid", null, "invoice_already_paid");
        }

        if (invoice.Str("status") == "open")
        {
            q.Engine.Invoicing.Pay(invoice, q.Form.Bool("off_session") ?? true, paymentMethod, throwOnDecline: true);
        }

        return invoice;
    }
}
