using System.ComponentModel.DataAnnotations;

namespace Monetization.Marketplace;

/// <summary>The <c>Marketplace</c> configuration section (docs/modules/marketplace.md).</summary>
internal sealed class MarketplaceOptions
{
    /// <summary>
    /// Default developer share of each revenue event, in basis points (<c>Marketplace:DeveloperShareBps</c>, default 7000 =
    /// 70 %, the seed's 70/30 split); a developer registered with <c>revenue_share_bps</c> overrides it.
    /// </summary>
    [Range(0, 10_000)]
    public int DeveloperShareBps { get; set; } = 7_000;

    /// <summary>
    /// Days revenue is held before it becomes payable, to absorb refunds (<c>Marketplace:HoldDays</c>, default 14). The
    /// moment is rounded up to the next UTC midnight, so earnings roll over once a day.
    /// </summary>
    [Range(0, 365)]
    public int HoldDays { get; set; } = 14;

    /// <summary>Smallest transfer, in minor units of the payout's currency (<c>Marketplace:MinimumPayout</c>, default 1,000).</summary>
    [Range(1, long.MaxValue)]
    public long MinimumPayout { get; set; } = 1_000;

    /// <summary>Currency of the zero-amount analytics events of free plugins and of usage prices without one (default <c>usd</c>).</summary>
    [RegularExpression("^[a-zA-Z]{3}$")]
    public string DefaultCurrency { get; set; } = "usd";

    /// <summary>Day of the month (UTC) on which the scheduled payout run pays the previous period (default 15, after the hold).</summary>
    [Range(1, 28)]
    public int PayoutDayOfMonth { get; set; } = 15;

    /// <summary>Whether the monthly payout job runs in this instance (default true).</summary>
    public bool PayoutScheduleEnabled { get; set; } = true;

    /// <summary>How often the payout job wakes up to check whether a run is due, in minutes (default 60).</summary>
    [Range(1, 1440)]
    public int PayoutScheduleIntervalMinutes { get; set; } = 60;

    /// <summary>How long one run holds a payout while it calls Stripe, in seconds (default 300); a crashed run's hold expires.</summary>
    [Range(10, 86_400)]
    public int PayoutLeaseSeconds { get; set; } = 300;

    /// <summary>Country of new Express connected accounts (two letters, default <c>US</c>).</summary>
    [RegularExpression("^[A-Z]{2}$")]
    public string ConnectCountry { get; set; } = "US";

    /// <summary>Where Stripe sends a developer whose onboarding link expired (Stripe's <c>refresh_url</c>).</summary>
    [Required]
    public string OnboardingRefreshUrl { get; set; } = "http://localhost:8080/marketplace/onboarding/refresh";

    /// <summary>Where Stripe sends a developer after onboarding (Stripe's <c>return_url</c>).</summary>
    [Required]
    public string OnboardingReturnUrl { get; set; } = "http://localhost:8080/marketplace/onboarding/return";

    /// <summary>Checkout <c>success_url</c> of one-time plugin purchases.</summary>
    [Required]
    public string CheckoutSuccessUrl { get; set; } = "http://localhost:8080/marketplace/purchase/success?session_id={CHECKOUT_SESSION_ID}";

    /// <summary>Checkout <c>cancel_url</c> of one-time plugin purchases.</summary>
    [Required]
    public string CheckoutCancelUrl { get; set; } = "http://localhost:8080/marketplace/purchase/cancel";
}
