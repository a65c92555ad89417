namespace Monetization.Marketplace.Domain;

/// <summary>A plugin developer: who is paid a revenue share, through a Stripe Connect Express connected account.</summary>
internal sealed class Developer
{
    /// <summary>The developer's id as the product knows it (given at registration).</summary>
    public required string Id { get; init; }

    /// <summary>Display name.</summary>
    public required string Name { get; set; }

    /// <summary>Contact e-mail (also the connected account's e-mail).</summary>
    public required string Email { get; set; }

    /// <summary>The developer's share of each revenue event, basis points (0..10,000).</summary>
    public int RevenueShareBps { get; set; }

    /// <summary>Stripe connected account (<c>acct_…</c>), once onboarding started.</summary>
    public string? StripeAccountId { get; set; }

    /// <summary>Stripe's <c>payouts_enabled</c> from the latest <c>account.updated</c>: payouts are sent only when true.</summary>
    public bool PayoutsEnabled { get; set; }

    /// <summary>Stripe's <c>charges_enabled</c>.</summary>
    public bool ChargesEnabled { get; set; }

    /// <summary>Stripe's <c>details_submitted</c>.</summary>
    public bool DetailsSubmitted { get; set; }

    /// <summary>When the latest applied account update occurred, UTC (older deliveries are ignored).</summary>
    public DateTimeOffset? AccountUpdatedAt { get; set; }

    /// <summary>Registration time, UTC.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}
