using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Billing;
using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Stripe;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;
using static Monetization.Subscriptions.Features.HandleStripeEvents.StripeObjects;
using StripeNet = Stripe;

namespace Monetization.Subscriptions.Features.HandleStripeEvents;

/// <summary>
/// <c>checkout.session.completed</c> and <c>checkout.session.async_payment_succeeded</c>: a subscription checkout links the
/// buyer's customer and subscription (fetching the subscription when its own events are late, issue 16); a paid one-off
/// payment checkout is published as <see cref="CheckoutCompleted"/> for the module whose <c>metadata.purpose</c> it carries.
/// </summary>
internal sealed class CheckoutSessionEvents(StripeEventScope scope, SubscriptionEvents subscriptions, SubscriptionsDbContext db, PlanCatalog catalog, TimeProvider clock)
{
    internal async Task<string> CompletedAsync(StripeEventEnvelope evt, StripeNet.Subscription? refetched, CancellationToken ct)
    {
        var session = evt.GetObject<StripeNet.Checkout.Session>();
        var now = clock.GetUtcNow();
        var userId = UserIds.IsValid(session.ClientReferenceId) ? session.ClientReferenceId
            : Meta(session.Metadata, MetadataKeys.UserId) is { } u && UserIds.IsValid(u) ? u : null;
        var email = session.CustomerDetails?.Email ?? session.CustomerEmail;
        if (session.Mode == "subscription")
        {
            var account = await scope.ResolveAsync(session.CustomerId, userId, email, ct, preferUser: true);
            if (session.SubscriptionId is { } refersTo && session.Status == "complete"
                && (account.StripeSubscriptionId is null || account.StripeSubscriptionId == refersTo || SubscriptionStatuses.IsFinal(account.Status)))
            {
                // The subscription the buyer just paid for, not yet known (its customer.subscription.* events are late):
                // fetch it rather than leave the buyer incomplete (issue 16).
                _ = subscriptions.RequireSubscriptionState(account, refersTo, refetched, evt.Created);
            }

            if (session.SubscriptionId is { } subId && account.StripeSubscriptionId != subId
                && (account.StripeSubscriptionId is null || SubscriptionStatuses.IsFinal(account.Status)))
            {
                account.StripeSubscriptionId = subId;
                account.StateAsOf = null;
                account.Status = SubscriptionStatuses.Incomplete;
                account.Plan = catalog.Find(Meta(session.Metadata, MetadataKeys.Plan))?.Key ?? account.Plan;
                account.Cadence = Meta(session.Metadata, MetadataKeys.Cadence) is { } cadence && Cadences.IsKnown(cadence) ? cadence : account.Cadence;
                account.UpdatedAt = now;
            }

            AccessCalculator.PublishIfChanged(db, account, catalog, now);
            return StripeEventStatuses.Processed;
        }

        if (session.Mode != "payment" || session.PaymentStatus is not ("paid" or "no_payment_required"))
        {
            return StripeEventStatuses.Ignored; // setup mode, or an async payment still pending (async_payment_succeeded follows)
        }

        db.AddIntegrationEvent(new CheckoutCompleted(
            IntegrationEventIds.New(now),
            now,
            session.Id,
            userId,
            session.CustomerId,
            Meta(session.Metadata, MetadataKeys.Purpose) ?? "",
            session.AmountTotal ?? 0,
            session.Currency ?? "",
            session.PaymentIntentId,
            session.Metadata ?? []));
        return StripeEventStatuses.Processed;
    }
}
