using System.ComponentModel.DataAnnotations;

namespace Monetization.Referrals;

/// <summary>
/// Configuration section <c>Referrals</c>. Defaults follow the issue (45 days of paid access per side, a 14-day hold
/// for refund clawback, at most 10 referrer rewards per calendar month).
/// </summary>
internal sealed class ReferralsOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Referrals";

    /// <summary><c>Referrals:CreditDays</c>: whole days of paid access granted to the buyer and to the referrer on conversion (default 45).</summary>
    [Range(1, 3650)]
    public int CreditDays { get; set; } = 45;

    /// <summary><c>Referrals:HoldDays</c>: a full refund of the first payment within this many days of conversion reverses both grants (default 14).</summary>
    [Range(0, 365)]
    public int HoldDays { get; set; } = 14;

    /// <summary><c>Referrals:MaxRewardsPerReferrerPerMonth</c>: referrer grants per calendar month (UTC) before further conversions reward the buyer only (default 10; 0 turns referrer rewards off).</summary>
    [Range(0, 100_000)]
    public int MaxRewardsPerReferrerPerMonth { get; set; } = 10;
}
