using System.Text.Json.Nodes;

namespace Monetization.StripeEmulator.Shapes;

/// <summary>Payment method, payment intent, charge and refund objects.</summary>
internal static class PaymentShapes
{
    public static JsonObject PaymentMethod(string id, long created, string? customer, string brand, string last4, string? email) => new()
    {
        ["id"] = id,
        ["object"] = "payment_method",
        ["allow_redisplay"] = "unspecified",
        ["billing_details"] = BillingDetails(email),
        ["card"] = PaymentMethodCard(brand, last4),
        ["created"] = created,
        ["customer"] = customer,
        ["customer_account"] = null,
        ["livemode"] = false,
        ["metadata"] = new JsonObject(),
        ["type"] = "card",
    };

    public static JsonObject PaymentIntent(string id, long created, long amount, string currency, string? customer, string? paymentMethod,
        string? description, JsonObject metadata, long? applicationFee, JsonObject? transferData, string? transferGroup) => new()
    {
        ["id"] = id,
        ["object"] = "payment_intent",
        ["amount"] = amount,
        ["amount_capturable"] = 0L,
        ["amount_details"] = new JsonObject { ["tip"] = new JsonObject() },
        ["amount_received"] = 0L,
        ["application"] = null,
        ["application_fee_amount"] = applicationFee,
        ["automatic_payment_methods"] = null,
        ["canceled_at"] = null,
        ["cancellation_reason"] = null,
        ["capture_method"] = "automatic",
        ["client_secret"] = id + "_secret_" + State.Ids.Random(25),
        ["confirmation_method"] = "automatic",
        ["created"] = created,
        ["currency"] = currency,
        ["customer"] = customer,
        ["customer_account"] = null,
        ["description"] = description,
        ["excluded_payment_method_types"] = null,
        ["last_payment_error"] = null,
        ["latest_charge"] = null,
        ["livemode"] = false,
        ["managed_payments"] = null,
        ["metadata"] = metadata,
        ["next_action"] = null,
        ["on_behalf_of"] = null,
        ["payment_method"] = paymentMethod,
        ["payment_method_configuration_details"] = null,
        ["payment_method_options"] = new JsonObject(),
        ["payment_method_types"] = Common.Strings(["card"]),
        ["processing"] = null,
        ["receipt_email"] = null,
        ["review"] = null,
        ["setup_future_usage"] = null,
        ["shipping"] = null,
        ["source"] = null,
        ["statement_descriptor"] = null,
        ["statement_descriptor_suffix"] = null,
        ["status"] = "requires_payment_method",
        ["transfer_data"] = transferData,
        ["transfer_group"] = transferGroup,
    };

    public static JsonObject Charge(string id, long created, long amount, string currency, string? customer, string paymentIntent, string paymentMethod,
        string brand, string last4, string? email, string? description, JsonObject metadata, long? applicationFee, JsonObject? transferData,
        string? transferGroup, string? failureCode, string? failureMessage, string? declineCode) => new()
    {
        ["id"] = id,
        ["object"] = "charge",
        ["amount"] = amount,
        ["amount_captured"] = failureCode is null ? amount : 0L,
        ["amount_refunded"] = 0L,
        ["application"] = null,
        ["application_fee"] = applicationFee is null ? null : State.Ids.New("fee"),
        ["application_fee_amount"] = applicationFee,
        ["balance_transaction"] = failureCode is null ? State.Ids.New("txn") : null,
        ["billing_details"] = BillingDetails(email),
        ["calculated_statement_descriptor"] = "MONETIZATION",
        ["captured"] = failureCode is null,
        ["created"] = created,
        ["currency"] = currency,
        ["customer"] = customer,
        ["description"] = description,
        ["disputed"] = false,
        ["failure_balance_transaction"] = null,
        ["failure_code"] = failureCode,
        ["failure_message"] = failureMessage,
        ["fraud_details"] = new JsonObject(),
        ["livemode"] = false,
        ["metadata"] = metadata,
        ["on_behalf_of"] = null,
        ["outcome"] = new JsonObject
        {
            ["advice_code"] = null,
            ["network_advice_code"] = null,
            ["network_decline_code"] = null,
            ["network_status"] = failureCode is null ? "approved_by_network" : "declined_by_network",
            ["reason"] = declineCode,
            ["risk_level"] = "normal",
            ["risk_score"] = 32L,
            ["seller_message"] = failureCode is null ? "Payment complete." : "The bank did not return any further details with this decline.",
            ["type"] = failureCode is null ? "authorized" : "issuer_declined",
        },
        ["paid"] = failureCode is null,
        ["payment_intent"] = paymentIntent,
        ["payment_method"] = paymentMethod,
        ["payment_method_details"] = new JsonObject
        {
            ["card"] = ChargeCard(brand, last4),
            ["type"] = "card",
        },
        ["receipt_email"] = email,
        ["receipt_number"] = null,
        ["receipt_url"] = null,
        ["refunded"] = false,
        ["refunds"] = Common.List($"/v1/charges/{id}/refunds"),
        ["review"] = null,
        ["shipping"] = null,
        ["source"] = null,
        ["source_transfer"] = null,
        ["statement_descriptor"] = null,
        ["statement_descriptor_suffix"] = null,
        ["status"] = failureCode is null ? "succeeded" : "failed",
        ["transfer_data"] = transferData?.DeepClone(),
        ["transfer_group"] = transferGroup,
    };

    public static JsonObject Refund(string id, long created, long amount, string currency, string charge, string? paymentIntent, string? customer,
        string? reason, string? transferReversal, JsonObject metadata) => new()
    {
        ["id"] = id,
        ["object"] = "refund",
        ["amount"] = amount,
        ["balance_transaction"] = State.Ids.New("txn"),
        ["charge"] = charge,
        ["created"] = created,
        ["currency"] = currency,
        ["customer"] = customer,
        ["customer_account"] = null,
        ["destination_details"] = new JsonObject
        {
            ["card"] = new JsonObject { ["reference"] = null, ["reference_status"] = "pending", ["reference_type"] = "acquirer_reference_number", ["type"] = "refund" },
            ["type"] = "card",
        },
        ["metadata"] = metadata,
        ["payment_intent"] = paymentIntent,
        ["payment_method"] = null,
        ["reason"] = reason,
        ["receipt_number"] = null,
        ["source_transfer_reversal"] = null,
        ["status"] = "succeeded",
        ["transfer_reversal"] = transferReversal,
    };

    private static JsonObject BillingDetails(string? email) => new()
    {
        ["address"] = Common.Address(),
        ["email"] = email,
        ["name"] = null,
        ["phone"] = null,
        ["tax_id"] = null,
    };

    /// <summary>A payment method's <c>card</c> (fixtures3.json <c>payment_method.card</c>; Stripe.net <c>PaymentMethodCard</c>).</summary>
    private static JsonObject PaymentMethodCard(string brand, string last4) => new()
    {
        ["brand"] = brand,
        ["checks"] = new JsonObject { ["address_line1_check"] = null, ["address_postal_code_check"] = null, ["cvc_check"] = "pass" },
        ["country"] = "US",
        ["display_brand"] = brand,
        ["exp_month"] = 12L,
        ["exp_year"] = 2034L,
        ["fingerprint"] = "emu" + last4,
        ["funding"] = "credit",
        ["generated_from"] = null,
        ["last4"] = last4,
        ["networks"] = new JsonObject { ["available"] = Common.Strings([brand]), ["preferred"] = null },
        ["regulated_status"] = "unregulated",
        ["three_d_secure_usage"] = new JsonObject { ["supported"] = true },
        ["wallet"] = null,
    };

    /// <summary>A charge's <c>payment_method_details.card</c> (Stripe.net <c>ChargePaymentMethodDetailsCard</c>).</summary>
    private static JsonObject ChargeCard(string brand, string last4) => new()
    {
        ["brand"] = brand,
        ["checks"] = new JsonObject { ["address_line1_check"] = null, ["address_postal_code_check"] = null, ["cvc_check"] = "pass" },
        ["country"] = "US",
        ["exp_month"] = 12L,
        ["exp_year"] = 2034L,
        ["fingerprint"] = "emu" + last4,
        ["funding"] = "credit",
        ["last4"] = last4,
        ["network"] = brand,
        ["three_d_secure"] = null,
        ["wallet"] = null,
    };
}
