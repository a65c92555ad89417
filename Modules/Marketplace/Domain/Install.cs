namespace Monetization.Marketplace.Domain;

/// <summary>Install states.</summary>
internal static class InstallStatuses
{
    /// <summary>One-time plugin: a Checkout Session is open; becomes active on <c>CheckoutCompleted</c>.</summary>
    public const string PendingPayment = "pending_payment";

    /// <summary>Monthly plugin for a user who is not paying yet (trial or free): becomes billable on the user's first payment.</summary>
    public const string Pending = "pending";

    /// <summary>Installed and, for paid plugins, paid for or billed.</summary>
    public const string Active = "active";

    /// <summary>Removed by the user; a later install creates a new one.</summary>
    public const string Uninstalled = "uninstalled";
}

/// <summary>A user's install of a plugin. At most one live (not uninstalled) install per plugin and user.</summary>
internal sealed class Install
{
    /// <summary>Our id (<c>ins_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The plugin.</summary>
    public required string PluginId { get; init; }

    /// <summary>The plugin's developer (kept here so revenue can be attributed without a join).</summary>
    public required string DeveloperId { get; init; }

    /// <summary>Who installed it.</summary>
    public required string UserId { get; init; }

    /// <summary>The plugin's pricing model at install time.</summary>
    public required string PricingModel { get; init; }

    /// <summary><see cref="InstallStatuses"/>.</summary>
    public required string Status { get; set; }

    /// <summary>Checkout Session (<c>cs_…</c>) of a one-time purchase.</summary>
    public string? CheckoutSessionId { get; set; }

    /// <summary>Checkout URL of a one-time purchase.</summary>
    public string? CheckoutUrl { get; set; }

    /// <summary>Subscription item (<c>si_…</c>) of a monthly plugin, once billable.</summary>
    public string? StripeSubscriptionItemId { get; set; }

    /// <summary>The Stripe subscription the item is on.</summary>
    public string? StripeSubscriptionId { get; set; }

    /// <summary>Creation time, UTC.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it became active, UTC.</summary>
    public DateTimeOffset? ActivatedAt { get; set; }

    /// <summary>When it was uninstalled, UTC; null while live (the unique live-install index keys on it).</summary>
    public DateTimeOffset? UninstalledAt { get; set; }
}
