namespace Monetization.Referrals.Domain;

/// <summary>
/// What the module knows about one user of the product: their referral code (created on first read) and the facts
/// Subscriptions published about them (Stripe customer, normalised e-mail, subscription status, first payment),
/// kept locally because modules never query each other. Deleted on erasure.
/// </summary>
internal sealed class ReferralUser
{
    /// <summary>The product's user id (1–128 characters of <c>[A-Za-z0-9_\-.:@]</c>).</summary>
    public string UserId { get; set; } = "";

    /// <summary>The user's referral code (8 characters of <see cref="ReferralCode.Alphabet"/>), null until first read.</summary>
    public string? Code { get; set; }

    /// <summary>When the code was created, UTC.</summary>
    public DateTimeOffset? CodeCreatedAt { get; set; }

    /// <summary>Last known Stripe customer id (<c>cus_…</c>), from StripeCustomerLinked, SubscriptionChanged or FirstPaidTransition.</summary>
    public string? StripeCustomerId { get; set; }

    /// <summary>Last known e-mail, normalised by <see cref="EmailAddress.Normalize"/> (for the self-referral rule only).</summary>
    public string? EmailNormalized { get; set; }

    /// <summary>Stripe subscription status from the latest SubscriptionChanged (<c>active</c>, <c>trialing</c>, <c>none</c>, …).</summary>
    public string? SubscriptionStatus { get; set; }

    /// <summary>Effective access tier from the latest SubscriptionChanged (<c>paid</c> or <c>free</c>).</summary>
    public string? AccessTier { get; set; }

    /// <summary>Version of the latest SubscriptionChanged applied (older ones are ignored).</summary>
    public long SubscriptionVersion { get; set; }

    /// <summary>When the user first paid (FirstPaidTransition's OccurredAt), UTC.</summary>
    public DateTimeOffset? FirstPaidAt { get; set; }

    /// <summary>When this row last changed, UTC.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>
    /// True when the user already pays, so cannot be referred (the issue: "only new users can be referred"): they made a
    /// first payment, or they hold a subscription Stripe is billing (<c>active</c>, <c>past_due</c>, <c>unpaid</c>,
    /// <c>paused</c>). A trial is not payment: a trialing user may still be referred, and converts on first payment.
    /// </summary>
    public bool IsPaying =>
        FirstPaidAt is not null || SubscriptionStatus is "active" or "past_due" or "unpaid" or "paused";

    /// <summary>Creates the row for a user seen for the first time.</summary>
    public static ReferralUser New(string userId, DateTimeOffset now) => new() { UserId = userId, UpdatedAt = now };
}
