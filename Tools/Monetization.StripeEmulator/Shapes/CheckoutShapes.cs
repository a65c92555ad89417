using System.Text.Json.Nodes;

namespace Monetization.StripeEmulator.Shapes;

/// <summary>Checkout session, checkout line item and billing portal session objects.</summary>
internal static class CheckoutShapes
{
    public static JsonObject Session(string id, long created, string mode, string url, string? successUrl, string? cancelUrl,
        string? customer, string? customerEmail, string? clientReferenceId, JsonObject metadata, long amountTotal, string currency) => new()
    {
        ["id"] = id,
        ["object"] = "checkout.session",
        ["adaptive_pricing"] = new JsonObject { ["enabled"] = false },
        ["after_expiration"] = null,
        ["allow_promotion_codes"] = null,
        ["amount_subtotal"] = amountTotal,
        ["amount_total"] = amountTotal,
        ["automatic_tax"] = new JsonObject { ["enabled"] = false, ["liability"] = null, ["provider"] = null, ["status"] = null },
        ["billing_address_collection"] = null,
        ["cancel_url"] = cancelUrl,
        ["client_reference_id"] = clientReferenceId,
        ["client_secret"] = null,
        ["collected_information"] = null,
        ["consent"] = null,
        ["consent_collection"] = null,
        ["created"] = created,
        ["currency"] = currency,
        ["currency_conversion"] = null,
        ["custom_fields"] = new JsonArray(),
        ["custom_text"] = new JsonObject
        {
            ["after_submit"] = null,
            ["shipping_address"] = null,
            ["submit"] = null,
            ["terms_of_service_acceptance"] = null,
        },
        ["customer"] = customer,
        ["customer_account"] = null,
        ["customer_creation"] = customer is null ? (mode == "payment" ? "if_required" : "always") : null,
        ["customer_details"] = null,
        ["customer_email"] = customerEmail,
        ["discounts"] = new JsonArray(),
        ["expires_at"] = created + 86400,
        ["integration_identifier"] = null,
        ["invoice"] = null,
        ["invoice_creation"] = mode == "payment"
            ? new JsonObject { ["enabled"] = false, ["invoice_data"] = null }
            : null,
        ["livemode"] = false,
        ["locale"] = null,
        ["managed_payments"] = null,
        ["metadata"] = metadata,
        ["mode"] = mode,
        ["origin_context"] = null,
        ["payment_intent"] = null,
        ["payment_link"] = null,
        ["payment_method_collection"] = mode == "subscription" ? "always" : null,
        ["payment_method_configuration_details"] = null,
        ["payment_method_options"] = new JsonObject(),
        ["payment_method_types"] = Common.Strings(["card"]),
        ["payment_status"] = "unpaid",
        ["permissions"] = null,
        ["phone_number_collection"] = new JsonObject { ["enabled"] = false },
        ["recovered_from"] = null,
        ["saved_payment_method_options"] = null,
        ["setup_intent"] = null,
        ["shipping_address_collection"] = null,
        ["shipping_cost"] = null,
        ["shipping_options"] = new JsonArray(),
        ["status"] = "open",
        ["submit_type"] = null,
        ["subscription"] = null,
        ["success_url"] = successUrl,
        ["total_details"] = new JsonObject { ["amount_discount"] = 0L, ["amount_shipping"] = 0L, ["amount_tax"] = 0L },
        ["ui_mode"] = "hosted_page",
        ["url"] = url,
        ["wallet_options"] = null,
    };

    public static JsonObject LineItem(string id, JsonObject price, long quantity, string description) => new()
    {
        ["id"] = id,
        ["object"] = "item",
        ["adjustable_quantity"] = null,
        ["amount_discount"] = 0L,
        ["amount_subtotal"] = price.Long("unit_amount") * quantity,
        ["amount_tax"] = 0L,
        ["amount_total"] = price.Long("unit_amount") * quantity,
        ["currency"] = price.Str("currency"),
        ["description"] = description,
        ["metadata"] = new JsonObject(),
        ["price"] = price.DeepClone(),
        ["quantity"] = quantity,
    };

    public static JsonObject PortalSession(string id, long created, string customer, string? returnUrl, string url, string configuration, string? locale, JsonNode? flow) => new()
    {
        ["id"] = id,
        ["object"] = "billing_portal.session",
        ["configuration"] = configuration,
        ["created"] = created,
        ["customer"] = customer,
        ["customer_account"] = null,
        ["flow"] = flow,
        ["livemode"] = false,
        ["locale"] = locale,
        ["on_behalf_of"] = null,
        ["return_url"] = returnUrl,
        ["url"] = url,
    };
}
