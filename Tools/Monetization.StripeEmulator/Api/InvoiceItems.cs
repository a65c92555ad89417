using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Http;
using Monetization.StripeEmulator.Shapes;
using Monetization.StripeEmulator.State;

namespace Monetization.StripeEmulator.Api;

/// <summary><c>/v1/invoiceitems</c>: create (pending or on a draft), retrieve, list.</summary>
internal static class InvoiceItems
{
    public static void Map(Router router)
    {
        router.Post("/v1/invoiceitems", Create);
        router.Get("/v1/invoiceitems", List);
        router.Get("/v1/invoiceitems/{id}", Retrieve);
    }

    private static JsonNode Create(ApiRequest q)
    {
        var form = q.Form;
        form.Allow("amount currency customer customer_account description discountable discounts invoice metadata period price price_data pricing quantity quantity_decimal subscription tax_behavior tax_code tax_rates unit_amount unit_amount_decimal");
        form.AllowIn("period", "start end");
        form.AllowIn("pricing", "price");
        var invoice = form.Str("invoice") is { Length: > 0 } invoiceId ? q.Engine.Store.Require(invoiceId, "invoice", "invoice") : null;
        var customerId = form.Str("customer") is { Length: > 0 } c ? c : invoice.Str("customer") ?? throw ApiException.Missing("customer");
        var customer = q.Engine.Store.Require(customerId, "customer", "customer");
        if (invoice is not null && invoice.Str("status") != "draft")
        {
            throw ApiException.Invalid($"Invoice {invoice.Str("id")} is not a draft; items can only be added to draft invoices.", "invoice", "invoice_not_editable");
        }

        var subscription = form.Str("subscription") is { Length: > 0 } s ? q.Engine.Store.Require(s, "subscription", "subscription") : null;
        JsonObject? price = null;
        var priceId = form.Get("pricing")?.Str("price") ?? form.Str("price");
        if (!string.IsNullOrEmpty(priceId))
        {
            price = q.Engine.Store.Require(priceId, "price", form.Has("pricing") ? "pricing[price]" : "price");
        }
        else if (form.Get("price_data") is { } data)
        {
            data.Allow("currency product tax_behavior unit_amount unit_amount_decimal");
            data.RequireStr("product");
            price = Catalog.NewPrice(q, data, requireRecurring: false, emit: false);
            price["active"] = false;
        }

        var quantity = form.Long("quantity") ?? 1;
        long amount;
        string currency;
        if (price is not null)
        {
            amount = price.Long("unit_amount") * quantity;
            currency = price.Str("currency")!;
        }
        else
        {
            amount = form.Long("amount") ?? (form.Long("unit_amount") is { } unit ? unit * quantity : throw ApiException.Missing("amount"));
            currency = form.Str("currency")?.ToLowerInvariant() ?? throw ApiException.Missing("currency");
        }

        var period = form.Get("period");
        var start = period?.Long("start") ?? q.Now;
        var end = period?.Long("end") ?? q.Now;
        var item = InvoiceShapes.InvoiceItem(Ids.New("ii"), q.Now, customer.Str("id")!, amount, currency, quantity, form.Str("description"), null,
            subscription.Str("id"), start, end, false, price, q.Metadata());
        q.Engine.Store.Add(item);
        if (invoice is not null)
        {
            q.Engine.Invoicing.AttachItem(invoice, item);
        }

        q.Engine.Events.Emit("invoiceitem.created", item);
        return item;
    }

    private static JsonNode Retrieve(ApiRequest q)
    {
        q.Form.Allow(string.Empty);
        return q.Engine.Store.Require(q.Id, "invoiceitem", "id");
    }

    private static JsonNode List(ApiRequest q)
    {
        q.Form.Allow("customer customer_account invoice pending " + Lists.PagingParams);
        var customer = q.Form.Str("customer");
        var invoice = q.Form.Str("invoice");
        var pending = q.Form.Bool("pending");
        var items = q.Engine.Store.All("invoiceitem").Where(i =>
            (customer is null || i.Str("customer") == customer) &&
            (invoice is null || i.Str("invoice") == invoice) &&
            (pending is null || (i["invoice"] is null) == pending));
        return Lists.Page(q.Form, items, "/v1/invoiceitems");
    }
}
