using System.Text.Json.Nodes;

namespace Monetization.StripeEmulator.Shapes;

/// <summary>Connect objects: account, account link, transfer, transfer reversal, balance.</summary>
internal static class ConnectShapes
{
    public static readonly string[] OnboardingRequirements =
    [
        "business_profile.product_description",
        "business_profile.support_phone",
        "business_profile.url",
        "external_account",
        "tos_acceptance.date",
        "tos_acceptance.ip",
    ];

    public static JsonObject Account(string id, long created, string type, string country, string? email, string? businessType,
        IEnumerable<string> requestedCapabilities, JsonObject metadata, JsonObject businessProfile) => new()
    {
        ["id"] = id,
        ["object"] = "account",
        ["business_profile"] = businessProfile,
        ["business_type"] = businessType,
        ["capabilities"] = new JsonObject(requestedCapabilities.Select(c => KeyValuePair.Create(c, (JsonNode?)JsonValue.Create("inactive")))),
        ["charges_enabled"] = false,
        ["controller"] = new JsonObject
        {
            ["fees"] = new JsonObject { ["payer"] = "application" },
            ["is_controller"] = true,
            ["losses"] = new JsonObject { ["payments"] = "application" },
            ["requirement_collection"] = "stripe",
            ["stripe_dashboard"] = new JsonObject { ["type"] = type == "standard" ? "full" : type == "custom" ? "none" : "express" },
            ["type"] = "application",
        },
        ["country"] = country,
        ["created"] = created,
        ["default_currency"] = country == "US" ? "usd" : "eur",
        ["details_submitted"] = false,
        ["email"] = email,
        ["external_accounts"] = Common.List($"/v1/accounts/{id}/external_accounts"),
        ["future_requirements"] = Requirements([], null),
        ["metadata"] = metadata,
        ["payouts_enabled"] = false,
        ["requirements"] = Requirements(OnboardingRequirements, "requirements.past_due"),
        ["settings"] = new JsonObject
        {
            ["dashboard"] = new JsonObject { ["display_name"] = null, ["timezone"] = "Etc/UTC" },
            ["payouts"] = new JsonObject
            {
                ["debit_negative_balances"] = true,
                ["schedule"] = new JsonObject { ["delay_days"] = 2L, ["interval"] = "daily" },
                ["statement_descriptor"] = null,
            },
        },
        ["tos_acceptance"] = new JsonObject { ["date"] = null, ["ip"] = null, ["user_agent"] = null },
        ["type"] = type,
    };

    public static JsonObject Requirements(IEnumerable<string> due, string? disabledReason) => new()
    {
        ["alternatives"] = new JsonArray(),
        ["current_deadline"] = null,
        ["currently_due"] = Common.Strings(due),
        ["disabled_reason"] = disabledReason,
        ["errors"] = new JsonArray(),
        ["eventually_due"] = Common.Strings(due),
        ["past_due"] = Common.Strings(due),
        ["pending_verification"] = new JsonArray(),
    };

    public static JsonObject AccountLink(long created, long expiresAt, string url) => new()
    {
        ["object"] = "account_link",
        ["created"] = created,
        ["expires_at"] = expiresAt,
        ["url"] = url,
    };

    public static JsonObject Transfer(string id, long created, long amount, string currency, string destination, string? description,
        string? sourceTransaction, string? transferGroup, JsonObject metadata) => new()
    {
        ["id"] = id,
        ["object"] = "transfer",
        ["amount"] = amount,
        ["amount_reversed"] = 0L,
        ["balance_transaction"] = State.Ids.New("txn"),
        ["created"] = created,
        ["currency"] = currency,
        ["description"] = description,
        ["destination"] = destination,
        ["destination_payment"] = State.Ids.New("py"),
        ["livemode"] = false,
        ["metadata"] = metadata,
        ["reversals"] = Common.List($"/v1/transfers/{id}/reversals"),
        ["reversed"] = false,
        ["source_transaction"] = sourceTransaction,
        ["source_type"] = "card",
        ["transfer_group"] = transferGroup,
    };

    public static JsonObject Reversal(string id, long created, long amount, string currency, string transfer, string? sourceRefund, JsonObject metadata) => new()
    {
        ["id"] = id,
        ["object"] = "transfer_reversal",
        ["amount"] = amount,
        ["balance_transaction"] = State.Ids.New("txn"),
        ["created"] = created,
        ["currency"] = currency,
        ["destination_payment_refund"] = State.Ids.New("pyr"),
        ["metadata"] = metadata,
        ["source_refund"] = sourceRefund,
        ["transfer"] = transfer,
    };
}
