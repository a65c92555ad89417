namespace Monetization.Subscriptions.Features.HandleStripeEvent;

/// <summary>
/// Two updates of one subscription carry the same <c>created</c> second and different states: the stored state cannot tell
/// which is newer, so the pipeline re-fetches the subscription from Stripe and applies that (the issue's tie rule).
/// </summary>
/// <remarks>Also thrown (<see cref="UnknownState"/>) when an event refers to a subscription whose state is not stored yet (issue 16).</remarks>
internal sealed class RefetchRequiredException(string subscriptionId, bool unknownState = false)
    : Exception(unknownState
        ? $"The event refers to subscription {subscriptionId}, whose state is not stored yet; fetching it from Stripe."
        : $"Two updates of {subscriptionId} share the same created time with different states; re-fetching it from Stripe.")
{
    public string SubscriptionId { get; } = subscriptionId;

    /// <summary>True when the state is missing rather than tied: a 404 from Stripe then lets the event apply from its own object.</summary>
    public bool UnknownState { get; } = unknownState;
}

/// <summary>An event names a Stripe customer we cannot match to a user (yet): processing fails and is retried with backoff.</summary>
internal sealed class UnknownCustomerException(string? customerId)
    : Exception($"No user is linked to Stripe customer '{customerId ?? "(none)"}' and the object carries no metadata.user_id; retried later (the checkout.session.completed that links it may come later).")
{
}
