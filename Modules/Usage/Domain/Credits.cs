namespace Monetization.Usage.Domain;

/// <summary>A credit grant: prepaid money (bought or granted by an admin) spent on usage invoices before the card.</summary>
internal sealed class CreditGrant
{
    /// <summary>Id (<c>cgr_…</c>).</summary>
    public string Id { get; set; } = "";

    /// <summary>User.</summary>
    public string UserId { get; set; } = "";

    /// <summary>Amount granted, minor units.</summary>
    public long Amount { get; set; }

    /// <summary>Amount still spendable, minor units.</summary>
    public long Remaining { get; set; }

    /// <summary>ISO 4217, lowercase.</summary>
    public string Currency { get; set; } = "";

    /// <summary>When the rest expires, UTC; null = never.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Why (package name, admin's reason).</summary>
    public string Reason { get; set; } = "";

    /// <summary><c>purchase</c> or <c>admin</c>.</summary>
    public string Source { get; set; } = "";

    /// <summary>The paid checkout session for a purchase (unique), else null.</summary>
    public string? CheckoutSessionId { get; set; }

    /// <summary>When granted, UTC.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One movement of a user's credit balance: <c>grant</c> (+), <c>consumption</c> (−) or <c>expiry</c> (−).</summary>
internal sealed class CreditLedgerEntry
{
    /// <summary>Id (<c>cle_…</c>).</summary>
    public string Id { get; set; } = "";

    /// <summary>User.</summary>
    public string UserId { get; set; } = "";

    /// <summary><c>grant</c>, <c>consumption</c> or <c>expiry</c>.</summary>
    public string Type { get; set; } = "";

    /// <summary>Signed amount, minor units (negative for consumption and expiry).</summary>
    public long Amount { get; set; }

    /// <summary>ISO 4217, lowercase.</summary>
    public string Currency { get; set; } = "";

    /// <summary>The grant moved.</summary>
    public string GrantId { get; set; } = "";

    /// <summary>The usage invoice that consumed it.</summary>
    public string? UsageInvoiceId { get; set; }

    /// <summary>Human description.</summary>
    public string Description { get; set; } = "";

    /// <summary>When, UTC.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
