namespace Monetization.Marketplace.Domain;

/// <summary>
/// A usage charge of a usage-priced plugin that is invoiced but not paid yet (<c>UsageChargeBilled</c>, issue 20): shown in
/// earnings as uncollected, never a revenue event and never paid out. Removed when the charge is paid
/// (<c>UsageCharged</c> records the revenue event then).
/// </summary>
internal sealed class UncollectedUsageCharge
{
    /// <summary>The usage invoice line (<c>uil_…</c>).</summary>
    public required string ChargeId { get; init; }

    /// <summary>The plugin's developer.</summary>
    public required string DeveloperId { get; init; }

    /// <summary>The plugin.</summary>
    public required string PluginId { get; init; }

    /// <summary>The user billed.</summary>
    public required string UserId { get; init; }

    /// <summary>Usage invoice (<c>uin_…</c>).</summary>
    public required string UsageInvoiceId { get; init; }

    /// <summary>Period <c>YYYY-MM</c> of the usage.</summary>
    public required string Period { get; init; }

    /// <summary>The line's amount, minor units.</summary>
    public long Gross { get; set; }

    /// <summary>The developer's share if it is paid (the same integer split a revenue event gets), minor units.</summary>
    public long DeveloperShare { get; set; }

    /// <summary>ISO 4217, lowercase.</summary>
    public required string Currency { get; init; }

    /// <summary>True once a payment of its invoice was declined.</summary>
    public bool PaymentFailed { get; set; }

    /// <summary>Last change, UTC.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When its usage invoice was voided (issue 20), UTC: never collected, not shown, never payable; null while owed.</summary>
    public DateTimeOffset? VoidedAt { get; set; }
}
