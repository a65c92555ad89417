namespace Monetization.Marketplace.Domain;

/// <summary>What a revenue event comes from.</summary>
internal static class RevenueKinds
{
    /// <summary>A free plugin's install (amount 0, for analytics; source = install id).</summary>
    public const string FreeInstall = "free_install";

    /// <summary>A one-time purchase (source = Checkout Session id).</summary>
    public const string Purchase = "purchase";

    /// <summary>A line of a paid subscription invoice (source = <c>{invoice}:{line}</c>); negative for proration credits.</summary>
    public const string Subscription = "subscription";

    /// <summary>A usage charge of a usage-priced plugin (source = the charge id of <c>UsageCharged</c>).</summary>
    public const string Usage = "usage";

    /// <summary>A refund of an earlier event (negative; source = <c>refund:{event}:{charge}:{cumulative refunded}</c>).</summary>
    public const string Refund = "refund";
}

/// <summary>
/// One revenue event: money collected for a plugin (or refunded), split once, in integers, between the developer and
/// the platform (<see cref="DeveloperShare"/> + <see cref="PlatformShare"/> = <see cref="Gross"/>, the developer's part
/// rounded toward zero by <c>Money.SplitBps</c>). Exactly one per <see cref="SourceId"/> (unique index).
/// </summary>
internal sealed class RevenueEvent
{
    /// <summary>Our id (<c>rev_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Unique id of what produced it (see <see cref="RevenueKinds"/>).</summary>
    public required string SourceId { get; init; }

    /// <summary><see cref="RevenueKinds"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>The developer paid the share.</summary>
    public required string DeveloperId { get; init; }

    /// <summary>The plugin.</summary>
    public required string PluginId { get; init; }

    /// <summary>The install, when known.</summary>
    public string? InstallId { get; init; }

    /// <summary>The paying user, when known.</summary>
    public string? UserId { get; init; }

    /// <summary>Amount collected (negative for refunds and credits), minor units of <see cref="Currency"/>.</summary>
    public long Gross { get; init; }

    /// <summary>The developer's part, minor units.</summary>
    public long DeveloperShare { get; init; }

    /// <summary>The platform's part, minor units (<see cref="Gross"/> − <see cref="DeveloperShare"/>).</summary>
    public long PlatformShare { get; init; }

    /// <summary>ISO 4217, lowercase.</summary>
    public required string Currency { get; init; }

    /// <summary>The developer's share used for the split, basis points.</summary>
    public int RevenueShareBps { get; init; }

    /// <summary>Billing period (<c>YYYY-MM</c>, UTC month of <see cref="EarnedAt"/>).</summary>
    public required string Period { get; init; }

    /// <summary>When the money was collected (or refunded), UTC.</summary>
    public DateTimeOffset EarnedAt { get; init; }

    /// <summary>
    /// When the developer's share becomes payable, UTC: <see cref="EarnedAt"/> + hold days rounded up to midnight for
    /// positive amounts; at once for negative ones (a debt is netted against the next payout).
    /// </summary>
    public DateTimeOffset AvailableAt { get; init; }

    /// <summary>Stripe invoice the money came through, for refund matching.</summary>
    public string? StripeInvoiceId { get; init; }

    /// <summary>Stripe charge, for refund matching.</summary>
    public string? StripeChargeId { get; init; }

    /// <summary>Stripe payment intent, for refund matching.</summary>
    public string? StripePaymentIntentId { get; init; }

    /// <summary>For a refund, the event it refunds.</summary>
    public string? RefundOfEventId { get; init; }

    /// <summary>Gross refunded so far against this event (cumulative), minor units; positive.</summary>
    public long RefundedGross { get; set; }

    /// <summary>The payout that includes this event (claimed or paid).</summary>
    public string? PayoutId { get; set; }

    /// <summary>The Stripe transfer that paid it (or, for a refund settled by reversal, the reversed transfer).</summary>
    public string? TransferId { get; set; }

    /// <summary>The Stripe transfer reversal (<c>trr_…</c>) that recovered a refund after payout.</summary>
    public string? TransferReversalId { get; set; }

    /// <summary>When it was settled (paid out, or recovered by reversal), UTC.</summary>
    public DateTimeOffset? PaidAt { get; set; }

    /// <summary>Day bucket of the earnings aggregate this event is counted in (UTC midnight).</summary>
    public DateTimeOffset BucketDay { get; init; }
}
