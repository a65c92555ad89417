namespace Monetization.Marketplace.Domain;

/// <summary>Pricing models of a plugin (the issue; the orchestrator seed's free, one-time, monthly and per-token agents).</summary>
internal static class PricingModels
{
    /// <summary>No charge; installs are recorded as zero-amount revenue events for analytics.</summary>
    public const string Free = "free";

    /// <summary>One payment through a payment-mode Checkout Session.</summary>
    public const string OneTime = "one_time";

    /// <summary>A monthly item on the user's Stripe subscription.</summary>
    public const string Monthly = "monthly";

    /// <summary>Per-token usage, billed by the Usage module (<c>UsageCharged</c>).</summary>
    public const string Usage = "usage";

    /// <summary>Every model.</summary>
    public static readonly IReadOnlyList<string> All = [Free, OneTime, Monthly, Usage];

    /// <summary>True for models with a fixed amount (one-time, monthly).</summary>
    public static bool HasAmount(string model) => model is OneTime or Monthly;
}

/// <summary>Plugin lifecycle states.</summary>
internal static class PluginStatuses
{
    /// <summary>Listed and installable.</summary>
    public const string Active = "active";

    /// <summary>Hidden from the catalog and not installable; existing installs keep working and billing.</summary>
    public const string Archived = "archived";
}

/// <summary>A plugin published in the marketplace.</summary>
internal sealed class Plugin
{
    /// <summary>Our id (<c>plg_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The developer who publishes it.</summary>
    public required string DeveloperId { get; init; }

    /// <summary>URL-safe unique name (<c>lowercase-words</c>).</summary>
    public required string Slug { get; init; }

    /// <summary>Display name.</summary>
    public required string Name { get; set; }

    /// <summary>Description shown in the catalog.</summary>
    public string Description { get; set; } = "";

    /// <summary><see cref="PricingModels"/>.</summary>
    public required string PricingModel { get; init; }

    /// <summary>Price in minor units of <see cref="Currency"/> (one-time, monthly); null otherwise.</summary>
    public long? Amount { get; set; }

    /// <summary>ISO 4217, lowercase; null for free plugins.</summary>
    public string? Currency { get; set; }

    /// <summary>Usage unit (<c>tokens</c>) for usage pricing.</summary>
    public string? UsageUnit { get; set; }

    /// <summary>Price per 1,000 units in minor units, as a decimal string (Stripe's <c>unit_amount_decimal</c> style), for usage pricing.</summary>
    public string? UnitAmountDecimal { get; set; }

    /// <summary>
    /// Price per 1,000 input tokens (minor units, decimal string), when the plugin prices input and output tokens apart
    /// (issue 20); then <see cref="OutputUnitAmountDecimal"/> is set too and both replace <see cref="UnitAmountDecimal"/>
    /// when its usage is invoiced.
    /// </summary>
    public string? InputUnitAmountDecimal { get; set; }

    /// <summary>Price per 1,000 output tokens (minor units, decimal string), with <see cref="InputUnitAmountDecimal"/>.</summary>
    public string? OutputUnitAmountDecimal { get; set; }

    /// <summary>Stripe product (<c>prod_…</c>) of a paid plugin.</summary>
    public string? StripeProductId { get; set; }

    /// <summary>Stripe price (<c>price_…</c>) of a one-time or monthly plugin; new installs use it.</summary>
    public string? StripePriceId { get; set; }

    /// <summary><see cref="PluginStatuses"/>.</summary>
    public string Status { get; set; } = PluginStatuses.Active;

    /// <summary>Currently live (active) installs; the catalog sorts by it.</summary>
    public long InstallCount { get; set; }

    /// <summary>Creation time, UTC.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Last change, UTC.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}
