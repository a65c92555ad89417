namespace Monetization.Marketplace.Domain;

/// <summary>
/// What Marketplace keeps of a user's subscription, from <c>SubscriptionChanged</c> and <c>FirstPaidTransition</c>
/// (modules never query each other): enough to know whether the user is paying and which Stripe subscription a monthly
/// plugin is added to.
/// </summary>
internal sealed class Subscriber
{
    /// <summary>The product's user id.</summary>
    public required string UserId { get; init; }

    /// <summary>Stripe customer (<c>cus_…</c>).</summary>
    public string? StripeCustomerId { get; set; }

    /// <summary>Stripe subscription (<c>sub_…</c>).</summary>
    public string? StripeSubscriptionId { get; set; }

    /// <summary>Stripe's subscription status (<c>trialing</c>, <c>active</c>, <c>past_due</c>, <c>canceled</c>, …), or null before any change.</summary>
    public string? Status { get; set; }

    /// <summary>Version of the latest applied <c>SubscriptionChanged</c> (older ones are ignored); 0 before any.</summary>
    public long Version { get; set; }

    /// <summary>When the user first paid (<c>FirstPaidTransition</c>), UTC.</summary>
    public DateTimeOffset? FirstPaidAt { get; set; }

    /// <summary>
    /// Paying: a subscription that Stripe bills (status <c>active</c> or <c>past_due</c>), or, once the user has paid, a
    /// subscription that is <c>trialing</c> because a referral credit moved its next charge (Subscriptions defers billing
    /// through <c>trial_end</c>), or, before any status is known, a first payment. A trial before any payment is not payment
    /// (the <c>FirstPaidTransition</c> contract).
    /// </summary>
    public bool IsPaying =>
        StripeSubscriptionId is not null
        && (Status is "active" or "past_due" || (Status is null or "trialing" && FirstPaidAt is not null));
}
