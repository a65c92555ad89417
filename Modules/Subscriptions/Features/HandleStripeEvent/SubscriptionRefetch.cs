using System.Net;
using StripeNet = Stripe;

namespace Monetization.Subscriptions.Features.HandleStripeEvent;

/// <summary>What re-fetching a subscription from Stripe came to.</summary>
/// <param name="Subscription">The subscription as Stripe returns it now, or null.</param>
/// <param name="Missing">Stripe answered 404 for a subscription whose state we merely lacked (issue 16): the event is applied
/// from its own object, as before the re-fetch rule (sample or foreign events; retrying would not change Stripe's answer).</param>
/// <param name="Failure">Why the fetch failed otherwise (Stripe down, rate limited, refused): the event is stored as failed and retried.</param>
internal sealed record RefetchResult(StripeNet.Subscription? Subscription, bool Missing, Exception? Failure);

/// <summary>
/// The one place the webhook path calls Stripe: <c>GET /v1/subscriptions/{id}</c> after a tie or for a subscription whose
/// state is not stored yet (docs/adr/0040). Kept to this method so the call is easy to move to another Stripe client.
/// </summary>
internal static class SubscriptionRefetch
{
    /// <summary>Fetches <paramref name="required"/>'s subscription; never throws a Stripe error (see <see cref="RefetchResult"/>).</summary>
    public static async Task<RefetchResult> FetchAsync(StripeNet.StripeClient stripe, RefetchRequiredException required, CancellationToken ct)
    {
        try
        {
            return new RefetchResult(await stripe.V1.Subscriptions.GetAsync(required.SubscriptionId, cancellationToken: ct), false, null);
        }
        catch (StripeNet.StripeException e) when (e.HttpStatusCode == HttpStatusCode.NotFound && required.UnknownState)
        {
            return new RefetchResult(null, true, null);
        }
        catch (StripeNet.StripeException e)
        {
            return new RefetchResult(null, false, e);
        }
    }
}
