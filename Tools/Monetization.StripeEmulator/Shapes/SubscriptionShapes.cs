using System.Text.Json.Nodes;

namespace Monetization.StripeEmulator.Shapes;

/// <summary>Subscription and subscription item objects (dahlia: periods live on items).</summary>
internal static class SubscriptionShapes
{
    public static JsonObject Subscription(string id, long created, string customer, string currency, string status, JsonObject metadata,
        string? defaultPaymentMethod, long? trialStart, long? trialEnd, long billingCycleAnchor) => new()
    {
        ["id"] = id,
        ["object"] = "subscription",
        ["application"] = null,
        ["application_fee_percent"] = null,
        ["automatic_tax"] = new JsonObject { ["disabled_reason"] = null, ["enabled"] = false, ["liability"] = null },
        ["billing_cycle_anchor"] = billingCycleAnchor,
        ["billing_cycle_anchor_config"] = null,
        ["billing_mode"] = new JsonObject { ["type"] = "classic" },
        ["billing_schedules"] = new JsonArray(),
        ["billing_thresholds"] = null,
        ["cancel_at"] = null,
        ["cancel_at_period_end"] = false,
        ["canceled_at"] = null,
        ["cancellation_details"] = new JsonObject { ["comment"] = null, ["feedback"] = null, ["reason"] = null },
        ["collection_method"] = "charge_automatically",
        ["created"] = created,
        ["currency"] = currency,
        ["customer"] = customer,
        ["customer_account"] = null,
        ["days_until_due"] = null,
        ["default_payment_method"] = defaultPaymentMethod,
        ["default_source"] = null,
        ["default_tax_rates"] = new JsonArray(),
        ["description"] = null,
        ["discounts"] = new JsonArray(),
        ["ended_at"] = null,
        ["invoice_settings"] = new JsonObject
        {
            ["account_tax_ids"] = null,
            ["issuer"] = new JsonObject { ["type"] = "self" },
        },
        ["items"] = Common.List($"/v1/subscription_items?subscription={id}"),
        ["latest_invoice"] = null,
        ["livemode"] = false,
        ["managed_payments"] = null,
        ["metadata"] = metadata,
        ["next_pending_invoice_item_invoice"] = null,
        ["on_behalf_of"] = null,
        ["pause_collection"] = null,
        ["payment_settings"] = new JsonObject
        {
            ["payment_method_options"] = null,
            ["payment_method_types"] = null,
            ["save_default_payment_method"] = "off",
        },
        ["pending_invoice_item_interval"] = null,
        ["pending_setup_intent"] = null,
        ["pending_update"] = null,
        ["schedule"] = null,
        ["start_date"] = created,
        ["status"] = status,
        ["test_clock"] = null,
        ["transfer_data"] = null,
        ["trial_end"] = trialEnd,
        ["trial_settings"] = new JsonObject
        {
            ["end_behavior"] = new JsonObject { ["missing_payment_method"] = "create_invoice" },
        },
        ["trial_start"] = trialStart,
    };

    public static JsonObject Item(string id, long created, string subscription, JsonObject price, long quantity, long periodStart, long periodEnd, JsonObject metadata) => new()
    {
        ["id"] = id,
        ["object"] = "subscription_item",
        ["billing_thresholds"] = null,
        ["created"] = created,
        ["current_period_end"] = periodEnd,
        ["current_period_start"] = periodStart,
        ["discounts"] = new JsonArray(),
        ["metadata"] = metadata,
        ["plan"] = CatalogShapes.Plan(price),
        ["price"] = price.DeepClone(),
        ["quantity"] = quantity,
        ["subscription"] = subscription,
        ["tax_rates"] = new JsonArray(),
    };
}
