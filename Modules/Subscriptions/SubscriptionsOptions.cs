using System.ComponentModel.DataAnnotations;

namespace Monetization.Subscriptions;

/// <summary>
/// Settings of the Subscriptions module, bound from the <c>Subscriptions</c> section (plans are in <c>Plans</c>, see
/// <see cref="Domain.PlanCatalog"/>; Stripe keys in <c>Stripe</c>). See docs/modules/subscriptions.md.
/// </summary>
public sealed class SubscriptionsOptions
{
    /// <summary>
    /// <c>Subscriptions:AllowPromotionCodes</c>: whether subscription Checkout shows Stripe's promotion code field when the
    /// request does not say (<c>allow_promotion_codes</c>, issue 20). Default false.
    /// </summary>
    public bool AllowPromotionCodes { get; set; }

    /// <summary>Days of access kept after a failed renewal payment (<c>past_due</c>), counted from the first failure. Default 3 (seed 002).</summary>
    [Range(0, 60)]
    public int GraceDays { get; set; } = 3;

    /// <summary>Key of the plan that applies without paid access. Default <c>free</c>.</summary>
    [Required]
    public string FreePlan { get; set; } = "free";

    /// <summary>
    /// Plan whose entitlements apply while access is paid by a referral credit alone (no subscription). Default: the paid
    /// plan of lowest rank. A user who had a subscription keeps that subscription's plan.
    /// </summary>
    public string? CreditPlan { get; set; }

    /// <summary>Default <c>success_url</c> of checkout sessions; <c>{CHECKOUT_SESSION_ID}</c> is filled by Stripe.</summary>
    [Required]
    public string CheckoutSuccessUrl { get; set; } = "http://localhost:8080/billing/success?session_id={CHECKOUT_SESSION_ID}";

    /// <summary>Default <c>cancel_url</c> of checkout sessions.</summary>
    [Required]
    public string CheckoutCancelUrl { get; set; } = "http://localhost:8080/billing/cancelled";

    /// <summary>Default <c>return_url</c> of customer portal sessions.</summary>
    [Required]
    public string PortalReturnUrl { get; set; } = "http://localhost:8080/billing";

    /// <summary>Give the cadence's trial only to users who never had a trial or a paid invoice. Default true.</summary>
    public bool TrialOncePerUser { get; set; } = true;

    /// <summary>Attempts made to process a stored Stripe event before it is left failed (replayable). Default 8.</summary>
    [Range(1, 100)]
    public int WebhookMaxAttempts { get; set; } = 8;

    /// <summary>First retry delay of a failed Stripe event, in seconds; doubles per attempt up to one hour. Default 5.</summary>
    [Range(0.01, 3600)]
    public double WebhookRetryBaseSeconds { get; set; } = 5;

    /// <summary>How often the background jobs look for due work (event retries, expiring grace/credit, credit deferrals), seconds. Default 15.</summary>
    [Range(0.05, 3600)]
    public double JobPollSeconds { get; set; } = 15;

    /// <summary>How often the reconciliation job re-fetches live subscriptions from Stripe, minutes; 0 turns the schedule off. Default 60.</summary>
    [Range(0, 10080)]
    public double ReconcileIntervalMinutes { get; set; } = 60;

    /// <summary>Prefix of the <c>lookup_key</c> of prices the module creates or finds in Stripe (<c>{prefix}_{plan}_{cadence}</c>). Default <c>monetization</c>.</summary>
    [Required]
    public string PriceLookupKeyPrefix { get; set; } = "monetization";
}
