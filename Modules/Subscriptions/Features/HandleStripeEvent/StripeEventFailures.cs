namespace Monetization.Subscriptions.Features.HandleStripeEvent;

/// <summary>
/// Two updates of one subscription carry the same <c>created</c> second and different states: the stored state cannot tell
/// which is newer, so the pipeline re-fetches the subscription from Stripe and applies that (the issue's tie rule).
/// </summary>
internal sealed class RefetchRequiredException(string subscriptionId, string? reason = null)
    : Exception(reason ?? $"Two updates of {subscriptionId} share the same created time with different states; re-fetching it from Stripe.")
{
    public string SubscriptionId { get; } = subscriptionId;
}

/// <summary>An event names a Stripe customer we cannot match to a user (yet): processing fails and is retried with backoff.</summary>
internal sealed class UnknownCustomerException(string? customerId)
    : Exception($"No user is linked to Stripe customer '{customerId ?? "(none)"}' and the object carries no metadata.user_id; retried later (the checkout.session.completed that links it may come later).")
{
}
