namespace Monetization.Usage.Domain;

/// <summary>A held unit of a countable resource (a project, a deploy), idempotent by <see cref="Key"/>.</summary>
internal sealed class QuotaAllocation
{
    /// <summary>User.</summary>
    public string UserId { get; set; } = "";

    /// <summary><c>projects</c> or <c>deploys</c>.</summary>
    public string Resource { get; set; } = "";

    /// <summary>The product's key of the unit (a project id).</summary>
    public string Key { get; set; } = "";

    /// <summary>When acquired, UTC.</summary>
    public DateTimeOffset AcquiredAt { get; set; }
}

/// <summary>Extra slots bought through a payment checkout (<c>purpose = usage.slots</c>); they add to the plan's limit.</summary>
internal sealed class QuotaSlotGrant
{
    /// <summary>Id (<c>slt_…</c>).</summary>
    public string Id { get; set; } = "";

    /// <summary>User.</summary>
    public string UserId { get; set; } = "";

    /// <summary><c>projects</c> or <c>deploys</c>.</summary>
    public string Resource { get; set; } = "";

    /// <summary>Slots added.</summary>
    public long Slots { get; set; }

    /// <summary>The paid checkout session (<c>cs_…</c>), unique: a redelivered completion adds nothing.</summary>
    public string CheckoutSessionId { get; set; } = "";

    /// <summary>Amount paid, minor units.</summary>
    public long Amount { get; set; }

    /// <summary>ISO 4217, lowercase.</summary>
    public string Currency { get; set; } = "";

    /// <summary>When granted, UTC.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The countable resources and their entitlements.</summary>
internal static class QuotaResources
{
    /// <summary>Concurrent projects.</summary>
    public const string Projects = "projects";

    /// <summary>Concurrent deploys.</summary>
    public const string Deploys = "deploys";

    /// <summary>Every resource.</summary>
    public static readonly IReadOnlyList<string> All = [Projects, Deploys];

    /// <summary>True for a known resource.</summary>
    public static bool IsKnown(string? resource) => resource is Projects or Deploys;
}

/// <summary>A checkout session Usage created (credits or slots), kept to match the completion.</summary>
internal sealed class UsageCheckout
{
    /// <summary>Stripe checkout session id (<c>cs_…</c>).</summary>
    public string SessionId { get; set; } = "";

    /// <summary>User.</summary>
    public string UserId { get; set; } = "";

    /// <summary><c>usage.credits</c> or <c>usage.slots</c>.</summary>
    public string Purpose { get; set; } = "";

    /// <summary>Credit package name (credits).</summary>
    public string? Package { get; set; }

    /// <summary>Resource (slots).</summary>
    public string? Resource { get; set; }

    /// <summary>Slots bought (1 for credits).</summary>
    public long Quantity { get; set; }

    /// <summary>Total price, minor units.</summary>
    public long Amount { get; set; }

    /// <summary>ISO 4217, lowercase.</summary>
    public string Currency { get; set; } = "";

    /// <summary>Credit expiry in days for credit packages, null = never.</summary>
    public int? CreditExpiresAfterDays { get; set; }

    /// <summary><c>open</c> or <c>completed</c>.</summary>
    public string Status { get; set; } = "open";

    /// <summary>Checkout URL.</summary>
    public string Url { get; set; } = "";

    /// <summary>When created, UTC.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When completed, UTC.</summary>
    public DateTimeOffset? CompletedAt { get; set; }
}
