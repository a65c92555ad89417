namespace Monetization.Marketplace.Domain;

/// <summary>
/// The earnings aggregate: revenue events summed per (developer, period, plugin, currency, day they become payable),
/// updated in the same transaction as each event and each payout. The earnings route reads only these rows (about one
/// per plugin, currency and day of a period), so it costs the same for 10 or 1,000,000 events; the day key lets it split
/// the unpaid share into payable and pending (in hold) at read time.
/// </summary>
internal sealed class EarningsBucket
{
    /// <summary>Developer.</summary>
    public required string DeveloperId { get; init; }

    /// <summary>Period <c>YYYY-MM</c> of the events.</summary>
    public required string Period { get; init; }

    /// <summary>Plugin.</summary>
    public required string PluginId { get; init; }

    /// <summary>ISO 4217, lowercase.</summary>
    public required string Currency { get; init; }

    /// <summary>UTC midnight at or after which the unpaid share is payable.</summary>
    public DateTimeOffset AvailableOn { get; init; }

    /// <summary>Number of events.</summary>
    public long Events { get; set; }

    /// <summary>Gross of the non-refund events, minor units.</summary>
    public long Gross { get; set; }

    /// <summary>Gross refunded (positive), minor units.</summary>
    public long Refunded { get; set; }

    /// <summary>Net developer share (after refunds), minor units.</summary>
    public long DeveloperShare { get; set; }

    /// <summary>Net platform share (after refunds), minor units.</summary>
    public long PlatformShare { get; set; }

    /// <summary>Developer share settled (paid out, or recovered by reversal), minor units.</summary>
    public long DeveloperPaid { get; set; }
}

/// <summary>New installs (activations) and uninstalls per developer, period and plugin, for earnings.</summary>
internal sealed class InstallStat
{
    /// <summary>Developer.</summary>
    public required string DeveloperId { get; init; }

    /// <summary>Period <c>YYYY-MM</c>.</summary>
    public required string Period { get; init; }

    /// <summary>Plugin.</summary>
    public required string PluginId { get; init; }

    /// <summary>Installs that became active in the period.</summary>
    public long Installs { get; set; }

    /// <summary>Uninstalls in the period.</summary>
    public long Uninstalls { get; set; }
}
