namespace Monetization.Referrals.Domain;

/// <summary>A referral as the API shows it (snake_case JSON; times ISO 8601 UTC).</summary>
/// <param name="ReferralId">Our id (<c>ref_…</c>).</param>
/// <param name="ReferrerUserId">Who shared the code (<c>erased_…</c> once erased).</param>
/// <param name="ReferredUserId">Who signed up with it (<c>erased_…</c> once erased).</param>
/// <param name="Code">The code used (null once the referrer is erased).</param>
/// <param name="CapturedAt">When captured at sign-up.</param>
/// <param name="ConvertedAt">When the referred user first paid, or null.</param>
/// <param name="CreditedAt">When credit was granted for it, or null.</param>
/// <param name="RewardStatus"><c>pending</c>, <c>rewarded</c>, <c>buyer_only</c>, <c>not_rewarded</c> or <c>reversed</c>.</param>
/// <param name="RewardReason">Why the reward is partial, absent or reversed: <c>same_stripe_customer</c>, <c>same_email</c>, <c>referrer_monthly_cap</c>, <c>referrer_erased</c>, <c>first_payment_refunded</c>; null otherwise.</param>
/// <param name="RefundedAt">When the first payment was fully refunded, or null.</param>
/// <param name="ReversedAt">When the grants were reversed, or null.</param>
internal sealed record ReferralView(
    string ReferralId,
    string ReferrerUserId,
    string ReferredUserId,
    string? Code,
    DateTimeOffset CapturedAt,
    DateTimeOffset? ConvertedAt,
    DateTimeOffset? CreditedAt,
    string RewardStatus,
    string? RewardReason,
    DateTimeOffset? RefundedAt,
    DateTimeOffset? ReversedAt)
{
    /// <summary>The view of a referral.</summary>
    public static ReferralView Of(Referral r) => new(
        r.Id, r.ReferrerUserId, r.ReferredUserId, r.Code, r.CapturedAt, r.ConvertedAt, r.CreditedAt, r.RewardStatus, r.RewardReason, r.RefundedAt, r.ReversedAt);
}
