namespace Monetization.Marketplace.Domain;

/// <summary>Payout states.</summary>
internal static class PayoutStatuses
{
    /// <summary>Its events are claimed and the transfer is not confirmed yet (or Stripe failed; the next run retries).</summary>
    public const string Pending = "pending";

    /// <summary>Stripe created the transfer; its events are marked paid.</summary>
    public const string Paid = "paid";
}

/// <summary>
/// A payout: one Stripe transfer to a developer's connected account for a period and currency, sent with the idempotency
/// key <c>payout:{developer}:{period}:{currency}</c>. Unique per (developer, period, currency), so a repeated or
/// concurrent run pays once.
/// </summary>
internal sealed class Payout
{
    /// <summary>Our id (<c>po_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Developer paid.</summary>
    public required string DeveloperId { get; init; }

    /// <summary>Period <c>YYYY-MM</c> of the run that created it.</summary>
    public required string Period { get; init; }

    /// <summary>ISO 4217, lowercase.</summary>
    public required string Currency { get; init; }

    /// <summary>Transfer amount, minor units (net of carried debts).</summary>
    public long Amount { get; init; }

    /// <summary>Number of revenue events it settles.</summary>
    public int EventCount { get; init; }

    /// <summary>Destination connected account.</summary>
    public required string StripeAccountId { get; init; }

    /// <summary>The Stripe <c>Idempotency-Key</c> of the transfer.</summary>
    public required string IdempotencyKey { get; init; }

    /// <summary><see cref="PayoutStatuses"/>.</summary>
    public string Status { get; set; } = PayoutStatuses.Pending;

    /// <summary>Stripe transfer (<c>tr_…</c>) once paid.</summary>
    public string? TransferId { get; set; }

    /// <summary>Transfer attempts so far.</summary>
    public int Attempts { get; set; }

    /// <summary>The last Stripe error, if any.</summary>
    public string? LastError { get; set; }

    /// <summary>A run calling Stripe for it holds it until then, UTC.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>Creation time, UTC.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the transfer was confirmed, UTC.</summary>
    public DateTimeOffset? PaidAt { get; set; }
}
