using StripeNet = Stripe;
using Monetization.Stripe;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Subscriptions.Data;

namespace Monetization.Subscriptions.Domain;

/// <summary>Looks up the user's live subscription for the routes that change it through Stripe.</summary>
internal static class LiveSubscription
{
    /// <summary>The account with a live subscription.</summary>
    /// <exception cref="ProblemException">404 <c>no_subscription</c> when the user has none (or only a canceled one).</exception>
    public static async Task<BillingAccount> RequireAsync(SubscriptionsDbContext db, string userId, CancellationToken ct)
    {
        var account = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.UserId == userId, ct);
        if (account?.StripeSubscriptionId is null || !SubscriptionStatuses.IsLive(account.Status))
        {
            throw new ProblemException(404, "No subscription", $"User {userId} has no live subscription.", "no_subscription");
        }

        return account;
    }
}

/// <summary>
/// The answer of the routes that ask Stripe to change a subscription (202: the local state changes when the webhook
/// confirms it).
/// </summary>
/// <param name="UserId">The user.</param>
/// <param name="StripeSubscriptionId">The subscription.</param>
/// <param name="Requested">What was asked: <c>cancel_at_period_end</c>, <c>cancel_now</c>, <c>resume</c>, <c>change_plan</c>.</param>
/// <param name="StripeStatus">The subscription's status as Stripe answered the call.</param>
/// <param name="CancelAtPeriodEnd">As Stripe answered.</param>
/// <param name="CurrentPeriodEnd">As Stripe answered (UTC).</param>
internal sealed record SubscriptionChangeRequested(string UserId, string StripeSubscriptionId, string Requested, string StripeStatus, bool CancelAtPeriodEnd, DateTimeOffset? CurrentPeriodEnd)
{
    public static SubscriptionChangeRequested From(string userId, string requested, StripeNet.Subscription sub) =>
        new(userId, sub.Id, requested, sub.Status, sub.CancelAtPeriodEnd, StripeDates.Utc(sub.Items?.Data.FirstOrDefault()?.CurrentPeriodEnd));
}
