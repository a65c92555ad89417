using System.Globalization;
using System.Text.Json.Nodes;

namespace Monetization.StripeEmulator.Shapes;

/// <summary>Invoice, invoice line item, invoice item and invoice payment objects.</summary>
internal static class InvoiceShapes
{
    public static JsonObject Invoice(string id, long created, JsonObject customer, string currency, string billingReason, string? subscription,
        JsonObject? subscriptionMetadata, string collectionMethod, bool autoAdvance, long? daysUntilDue, string? description, JsonObject metadata,
        long periodStart, long periodEnd, string publicBaseUrl) => new()
    {
        ["id"] = id,
        ["object"] = "invoice",
        ["account_country"] = "US",
        ["account_name"] = "Monetization Emulator",
        ["account_tax_ids"] = null,
        ["amount_due"] = 0L,
        ["amount_overpaid"] = 0L,
        ["amount_paid"] = 0L,
        ["amount_remaining"] = 0L,
        ["amount_shipping"] = 0L,
        ["application"] = null,
        ["attempt_count"] = 0L,
        ["attempted"] = false,
        ["auto_advance"] = autoAdvance,
        ["automatic_tax"] = new JsonObject
        {
            ["disabled_reason"] = null,
            ["enabled"] = false,
            ["liability"] = null,
            ["provider"] = null,
            ["status"] = null,
        },
        ["automatically_finalizes_at"] = null,
        ["billing_reason"] = billingReason,
        ["collection_method"] = collectionMethod,
        ["created"] = created,
        ["currency"] = currency,
        ["custom_fields"] = null,
        ["customer"] = customer.Str("id"),
        ["customer_account"] = null,
        ["customer_address"] = null,
        ["customer_email"] = customer.Str("email"),
        ["customer_name"] = customer.Str("name"),
        ["customer_phone"] = customer.Str("phone"),
        ["customer_shipping"] = null,
        ["customer_tax_exempt"] = "none",
        ["customer_tax_ids"] = new JsonArray(),
        ["default_payment_method"] = null,
        ["default_source"] = null,
        ["default_tax_rates"] = new JsonArray(),
        ["description"] = description,
        ["discounts"] = new JsonArray(),
        ["due_date"] = collectionMethod == "send_invoice" ? created + ((daysUntilDue ?? 30) * 86400) : null,
        ["effective_at"] = null,
        ["ending_balance"] = null,
        ["footer"] = null,
        ["from_invoice"] = null,
        ["hosted_invoice_url"] = null,
        ["invoice_pdf"] = null,
        ["issuer"] = new JsonObject { ["type"] = "self" },
        ["last_finalization_error"] = null,
        ["latest_revision"] = null,
        ["lines"] = Common.List($"/v1/invoices/{id}/lines"),
        ["livemode"] = false,
        ["metadata"] = metadata,
        ["next_payment_attempt"] = null,
        ["number"] = null,
        ["on_behalf_of"] = null,
        ["parent"] = subscription is null ? null : new JsonObject
        {
            ["quote_details"] = null,
            ["subscription_details"] = new JsonObject
            {
                ["metadata"] = subscriptionMetadata?.DeepClone() ?? new JsonObject(),
                ["subscription"] = subscription,
            },
            ["type"] = "subscription_details",
        },
        ["payment_settings"] = new JsonObject
        {
            ["default_mandate"] = null,
            ["payment_method_options"] = null,
            ["payment_method_types"] = null,
        },
        ["payments"] = Common.List($"/v1/invoice_payments?invoice={id}"),
        ["period_end"] = periodEnd,
        ["period_start"] = periodStart,
        ["post_payment_credit_notes_amount"] = 0L,
        ["pre_payment_credit_notes_amount"] = 0L,
        ["receipt_number"] = null,
        ["rendering"] = null,
        ["shipping_cost"] = null,
        ["shipping_details"] = null,
        ["starting_balance"] = 0L,
        ["statement_descriptor"] = null,
        ["status"] = "draft",
        ["status_transitions"] = new JsonObject
        {
            ["finalized_at"] = null,
            ["marked_uncollectible_at"] = null,
            ["paid_at"] = null,
            ["voided_at"] = null,
        },
        ["subtotal"] = 0L,
        ["subtotal_excluding_tax"] = 0L,
        ["test_clock"] = null,
        ["total"] = 0L,
        ["total_discount_amounts"] = new JsonArray(),
        ["total_excluding_tax"] = 0L,
        ["total_pretax_credit_amounts"] = new JsonArray(),
        ["total_taxes"] = new JsonArray(),
        ["webhooks_delivered_at"] = created,
    };

    /// <summary>A line for a subscription item's period.</summary>
    public static JsonObject SubscriptionLine(string id, string invoice, JsonObject item, long periodStart, long periodEnd, string productName)
    {
        var price = item.Obj("price");
        var quantity = item.Long("quantity");
        var amount = price.Long("unit_amount") * quantity;
        var interval = price["recurring"].Str("interval") ?? "month";
        return Line(id, invoice, amount, price.Str("currency")!, quantity,
            $"{quantity} × {productName} (at {Common.Money(price.Long("unit_amount"), price.Str("currency")!)} / {interval})",
            periodStart, periodEnd, price,
            new JsonObject
            {
                ["invoice_item_details"] = null,
                ["subscription_item_details"] = new JsonObject
                {
                    ["invoice_item"] = null,
                    ["proration"] = false,
                    ["proration_details"] = new JsonObject { ["credited_items"] = null },
                    ["subscription"] = item.Str("subscription"),
                    ["subscription_item"] = item.Str("id"),
                },
                ["type"] = "subscription_item_details",
            });
    }

    /// <summary>A line that bills a (pending) invoice item.</summary>
    public static JsonObject ItemLine(string id, string invoice, JsonObject invoiceItem)
    {
        var subscription = invoiceItem["parent"]?["subscription_details"].Str("subscription");
        return Line(id, invoice, invoiceItem.Long("amount"), invoiceItem.Str("currency")!, invoiceItem.Long("quantity"),
            invoiceItem.Str("description") ?? "Invoice item",
            invoiceItem["period"].Long("start"), invoiceItem["period"].Long("end"), null,
            new JsonObject
            {
                ["invoice_item_details"] = new JsonObject
                {
                    ["invoice_item"] = invoiceItem.Str("id"),
                    ["proration"] = invoiceItem.Bool("proration"),
                    ["proration_details"] = new JsonObject { ["credited_items"] = null },
                    ["subscription"] = subscription,
                },
                ["subscription_item_details"] = null,
                ["type"] = "invoice_item_details",
            },
            invoiceItem["pricing"]?["price_details"]?.DeepClone());
    }

    private static JsonObject Line(string id, string invoice, long amount, string currency, long quantity, string description,
        long periodStart, long periodEnd, JsonObject? price, JsonObject parent, JsonNode? priceDetails = null) => new()
    {
        ["id"] = id,
        ["object"] = "line_item",
        ["amount"] = amount,
        ["currency"] = currency,
        ["description"] = description,
        ["discount_amounts"] = new JsonArray(),
        ["discountable"] = true,
        ["discounts"] = new JsonArray(),
        ["invoice"] = invoice,
        ["livemode"] = false,
        ["metadata"] = new JsonObject(),
        ["parent"] = parent,
        ["period"] = new JsonObject { ["end"] = periodEnd, ["start"] = periodStart },
        ["pretax_credit_amounts"] = new JsonArray(),
        ["pricing"] = new JsonObject
        {
            ["price_details"] = price is null
                ? priceDetails
                : new JsonObject { ["price"] = price.Str("id"), ["product"] = price.Str("product") },
            ["type"] = "price_details",
            ["unit_amount_decimal"] = (quantity == 0 ? amount : amount / quantity).ToString(CultureInfo.InvariantCulture),
        },
        ["quantity"] = quantity,
        ["quantity_decimal"] = quantity.ToString(CultureInfo.InvariantCulture),
        ["subscription"] = null,
        ["subtotal"] = amount,
        ["taxes"] = new JsonArray(),
    };

    public static JsonObject InvoiceItem(string id, long created, string customer, long amount, string currency, long quantity, string? description,
        string? invoice, string? subscription, long periodStart, long periodEnd, bool proration, JsonObject? price, JsonObject metadata) => new()
    {
        ["id"] = id,
        ["object"] = "invoiceitem",
        ["amount"] = amount,
        ["currency"] = currency,
        ["customer"] = customer,
        ["customer_account"] = null,
        ["date"] = created,
        ["description"] = description,
        ["discountable"] = !proration,
        ["discounts"] = new JsonArray(),
        ["invoice"] = invoice,
        ["livemode"] = false,
        ["metadata"] = metadata,
        ["net_amount"] = amount,
        ["parent"] = subscription is null ? null : new JsonObject
        {
            ["subscription_details"] = new JsonObject { ["subscription"] = subscription, ["subscription_item"] = null },
            ["type"] = "subscription_details",
        },
        ["period"] = new JsonObject { ["end"] = periodEnd, ["start"] = periodStart },
        ["pricing"] = new JsonObject
        {
            ["price_details"] = price is null ? null : new JsonObject { ["price"] = price.Str("id"), ["product"] = price.Str("product") },
            ["type"] = "price_details",
            ["unit_amount_decimal"] = (quantity == 0 ? amount : amount / quantity).ToString(CultureInfo.InvariantCulture),
        },
        ["proration"] = proration,
        ["quantity"] = quantity,
        ["quantity_decimal"] = quantity.ToString(CultureInfo.InvariantCulture),
        ["tax_rates"] = new JsonArray(),
        ["test_clock"] = null,
    };

    public static JsonObject InvoicePayment(string id, long created, string invoice, long amount, string currency, string paymentIntent) => new()
    {
        ["id"] = id,
        ["object"] = "invoice_payment",
        ["amount_paid"] = amount,
        ["amount_requested"] = amount,
        ["created"] = created,
        ["currency"] = currency,
        ["invoice"] = invoice,
        ["is_default"] = true,
        ["livemode"] = false,
        ["payment"] = new JsonObject { ["payment_intent"] = paymentIntent, ["type"] = "payment_intent" },
        ["status"] = "paid",
        ["status_transitions"] = new JsonObject { ["canceled_at"] = null, ["paid_at"] = created },
    };
}
