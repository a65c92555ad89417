namespace Monetization.Referrals.Domain;

/// <summary>
/// One referral: a referred user signed up with a referrer's code (captured), later paid for the first time
/// (converted) and earned credit for both sides (credited), unless a rule said otherwise (<see cref="RewardStatus"/>
/// and <see cref="RewardReason"/>). A user is referred at most once. Survives the erasure of either side, anonymised.
/// </summary>
internal sealed class Referral
{
    /// <summary>Our id (<c>ref_…</c>).</summary>
    public string Id { get; set; } = "";

    /// <summary>Who shared the code (an <c>erased_…</c> pseudonym once that user is erased).</summary>
    public string ReferrerUserId { get; set; } = "";

    /// <summary>Who signed up with it (unique; an <c>erased_…</c> pseudonym once that user is erased).</summary>
    public string ReferredUserId { get; set; } = "";

    /// <summary>The code used, normalised; null once the referrer is erased.</summary>
    public string? Code { get; set; }

    /// <summary>When the referral was captured at sign-up, UTC.</summary>
    public DateTimeOffset CapturedAt { get; set; }

    /// <summary>When the referred user first paid (FirstPaidTransition's OccurredAt), UTC.</summary>
    public DateTimeOffset? ConvertedAt { get; set; }

    /// <summary>When credit was granted for the conversion (processing time), UTC; null when nothing was granted.</summary>
    public DateTimeOffset? CreditedAt { get; set; }

    /// <summary>One of <see cref="RewardStatuses"/>.</summary>
    public string RewardStatus { get; set; } = RewardStatuses.Pending;

    /// <summary>Why the reward is partial, absent or reversed (one of <see cref="RewardReasons"/>); null otherwise.</summary>
    public string? RewardReason { get; set; }

    /// <summary>Stripe invoice id (<c>in_…</c>) of the first payment.</summary>
    public string? FirstInvoiceId { get; set; }

    /// <summary>Stripe charge id (<c>ch_…</c>) of the first payment, when known.</summary>
    public string? FirstChargeId { get; set; }

    /// <summary>Amount of the first payment, minor units of <see cref="FirstCurrency"/>.</summary>
    public long? FirstAmountPaid { get; set; }

    /// <summary>ISO 4217 currency of the first payment, lowercase.</summary>
    public string? FirstCurrency { get; set; }

    /// <summary>When the first payment was fully refunded (the refund's OccurredAt), UTC.</summary>
    public DateTimeOffset? RefundedAt { get; set; }

    /// <summary>When the grants were reversed by clawback (processing time), UTC.</summary>
    public DateTimeOffset? ReversedAt { get; set; }

    /// <summary>When the referrer was erased, UTC.</summary>
    public DateTimeOffset? ReferrerErasedAt { get; set; }

    /// <summary>When the referred user was erased, UTC.</summary>
    public DateTimeOffset? ReferredErasedAt { get; set; }
}

/// <summary>Values of <see cref="Referral.RewardStatus"/>.</summary>
internal static class RewardStatuses
{
    /// <summary>Captured; the referred user has not paid yet.</summary>
    public const string Pending = "pending";

    /// <summary>Converted; both sides were granted credit.</summary>
    public const string Rewarded = "rewarded";

    /// <summary>Converted; only the buyer was granted credit (see the reason).</summary>
    public const string BuyerOnly = "buyer_only";

    /// <summary>Converted without any reward (see the reason).</summary>
    public const string NotRewarded = "not_rewarded";

    /// <summary>Rewarded, then both grants were reversed because the first payment was refunded in the hold window.</summary>
    public const string Reversed = "reversed";
}

/// <summary>Values of <see cref="Referral.RewardReason"/>.</summary>
internal static class RewardReasons
{
    /// <summary>The buyer uses the referrer's Stripe customer: a self-referral.</summary>
    public const string SameStripeCustomer = "same_stripe_customer";

    /// <summary>The buyer's e-mail is the referrer's (after normalisation): a self-referral.</summary>
    public const string SameEmail = "same_email";

    /// <summary>The referrer reached <c>Referrals:MaxRewardsPerReferrerPerMonth</c> in the month of the conversion.</summary>
    public const string ReferrerMonthlyCap = "referrer_monthly_cap";

    /// <summary>The referrer's data was erased before the conversion; the buyer keeps their credit.</summary>
    public const string ReferrerErased = "referrer_erased";

    /// <summary>The first payment was fully refunded within <c>Referrals:HoldDays</c>.</summary>
    public const string FirstPaymentRefunded = "first_payment_refunded";
}
