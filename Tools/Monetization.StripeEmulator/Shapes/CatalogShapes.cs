using System.Globalization;
using System.Text.Json.Nodes;

namespace Monetization.StripeEmulator.Shapes;

/// <summary>Customer, product, price and plan objects in Stripe's shape.</summary>
internal static class CatalogShapes
{
    public static JsonObject Customer(string id, long created, string? email, string? name, string? description, string? phone, JsonObject metadata) => new()
    {
        ["id"] = id,
        ["object"] = "customer",
        ["address"] = null,
        ["balance"] = 0L,
        ["created"] = created,
        ["currency"] = null,
        ["default_source"] = null,
        ["delinquent"] = false,
        ["description"] = description,
        ["discount"] = null,
        ["email"] = email,
        ["invoice_prefix"] = id[4..11].ToUpperInvariant(),
        ["invoice_settings"] = new JsonObject
        {
            ["custom_fields"] = null,
            ["default_payment_method"] = null,
            ["footer"] = null,
            ["rendering_options"] = null,
        },
        ["livemode"] = false,
        ["metadata"] = metadata,
        ["name"] = name,
        ["next_invoice_sequence"] = 1L,
        ["phone"] = phone,
        ["preferred_locales"] = new JsonArray(),
        ["shipping"] = null,
        ["tax_exempt"] = "none",
        ["test_clock"] = null,
    };

    public static JsonObject Product(string id, long created, string name, string? description, bool active, JsonObject metadata) => new()
    {
        ["id"] = id,
        ["object"] = "product",
        ["active"] = active,
        ["created"] = created,
        ["default_price"] = null,
        ["description"] = description,
        ["images"] = new JsonArray(),
        ["livemode"] = false,
        ["marketing_features"] = new JsonArray(),
        ["metadata"] = metadata,
        ["name"] = name,
        ["package_dimensions"] = null,
        ["shippable"] = null,
        ["statement_descriptor"] = null,
        ["tax_code"] = null,
        ["type"] = "service",
        ["unit_label"] = null,
        ["updated"] = created,
        ["url"] = null,
    };

    public static JsonObject Price(string id, long created, string productId, string currency, long unitAmount, string? interval, long intervalCount, string? nickname, string? lookupKey, bool active, JsonObject metadata) => new()
    {
        ["id"] = id,
        ["object"] = "price",
        ["active"] = active,
        ["billing_scheme"] = "per_unit",
        ["created"] = created,
        ["currency"] = currency,
        ["custom_unit_amount"] = null,
        ["livemode"] = false,
        ["lookup_key"] = lookupKey,
        ["metadata"] = metadata,
        ["nickname"] = nickname,
        ["product"] = productId,
        ["recurring"] = interval is null ? null : new JsonObject
        {
            ["interval"] = interval,
            ["interval_count"] = intervalCount,
            ["meter"] = null,
            ["usage_type"] = "licensed",
            ["trial_period_days"] = null,
        },
        ["tax_behavior"] = "unspecified",
        ["tiers_mode"] = null,
        ["transform_quantity"] = null,
        ["type"] = interval is null ? "one_time" : "recurring",
        ["unit_amount"] = unitAmount,
        ["unit_amount_decimal"] = unitAmount.ToString(CultureInfo.InvariantCulture),
    };

    public static JsonObject Plan(JsonObject price)
    {
        var recurring = price["recurring"] as JsonObject;
        return new JsonObject
        {
            ["id"] = price.Str("id"),
            ["object"] = "plan",
            ["active"] = price.Bool("active"),
            ["amount"] = price.Long("unit_amount"),
            ["amount_decimal"] = price.Str("unit_amount_decimal"),
            ["billing_scheme"] = "per_unit",
            ["created"] = price.Long("created"),
            ["currency"] = price.Str("currency"),
            ["interval"] = recurring.Str("interval"),
            ["interval_count"] = recurring.Long("interval_count"),
            ["livemode"] = false,
            ["metadata"] = price["metadata"]?.DeepClone(),
            ["meter"] = null,
            ["nickname"] = price.Str("nickname"),
            ["product"] = price.Str("product"),
            ["tiers_mode"] = null,
            ["transform_usage"] = null,
            ["trial_period_days"] = null,
            ["usage_type"] = "licensed",
        };
    }
}
