using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Billing;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Stripe;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;
using static Monetization.Subscriptions.Features.HandleStripeEvents.StripeObjects;
using StripeNet = Stripe;

namespace Monetization.Subscriptions.Features.HandleStripeEvents;

/// <summary>
/// <c>customer.subscription.*</c> events: the subscription's state on the user's billing account, applied in the order of
/// the events' <c>created</c> whatever order Stripe delivers them in (issue 16; docs/adr/0040), and the ordering rule other
/// events use when they refer to a subscription whose state is not stored yet.
/// </summary>
internal sealed class SubscriptionEvents(StripeEventScope scope, SubscriptionsDbContext db, PlanCatalog catalog, TimeProvider clock, IOptions<SubscriptionsOptions> options)
{
    internal async Task<string> ApplyAsync(StripeEventEnvelope evt, StripeNet.Subscription? refetched, CancellationToken ct)
    {
        var sub = refetched ?? evt.GetObject<StripeNet.Subscription>();
        var account = await scope.ResolveAsync(sub.CustomerId, Meta(sub.Metadata, MetadataKeys.UserId), null, ct);
        ApplySubscription(account, sub, evt.Created, forced: refetched is not null);
        AccessCalculator.PublishIfChanged(db, account, catalog, clock.GetUtcNow());
        return StripeEventStatuses.Processed;
    }

    /// <summary>
    /// Applies a subscription object as of <paramref name="asOf"/> (event <c>created</c>, or now for a re-fetch) unless what is
    /// stored is newer; on a tie with a different state throws <see cref="RefetchRequiredException"/> (unless <paramref name="forced"/>).
    /// </summary>
    /// <returns>True when the stored subscription changed.</returns>
    internal bool ApplySubscription(BillingAccount account, StripeNet.Subscription sub, DateTimeOffset asOf, bool forced)
    {
        var now = clock.GetUtcNow();
        if (account.StripeSubscriptionId is { } current && current != sub.Id)
        {
            if (SubscriptionStatuses.IsFinal(sub.Status))
            {
                return false; // an older subscription ending does not touch the current one
            }

            if (!SubscriptionStatuses.IsFinal(account.Status) && account.SubscriptionCreatedAt is { } c && StripeDates.Utc(sub.Created) is { } sc && sc < c)
            {
                return false; // an older live subscription than the current one
            }

            account.StateAsOf = null;
            account.GracePeriodEnd = null;
            account.DeferredUntil = null;
        }
        else if (!forced && account.StateAsOf is { } stored)
        {
            if (asOf < stored)
            {
                return false; // stale: Stripe's later state is already stored
            }

            if (asOf == stored && account.StripeSubscriptionId == sub.Id)
            {
                if (SubscriptionStatuses.IsFinal(account.Status) || SameState(account, sub))
                {
                    return false;
                }

                if (!SubscriptionStatuses.IsFinal(sub.Status))
                {
                    throw new RefetchRequiredException(sub.Id);
                }
            }
        }

        var item = PlanItem(sub);
        var byPrice = catalog.ByPriceId(item?.Price?.Id);
        var metadataPlan = Meta(sub.Metadata, MetadataKeys.Plan);
        account.StripeSubscriptionId = sub.Id;
        account.StripeSubscriptionItemId = item?.Id;
        account.PriceId = item?.Price?.Id;
        account.Plan = byPrice?.Plan.Key ?? (catalog.Find(metadataPlan) is { IsPaid: true } p ? p.Key : metadataPlan);
        account.Cadence = byPrice?.Cadence
            ?? Cadences.FromStripeInterval(item?.Price?.Recurring?.Interval, item?.Price?.Recurring?.IntervalCount ?? 1)
            ?? (Meta(sub.Metadata, MetadataKeys.Cadence) is { } cadence && Cadences.IsKnown(cadence) ? cadence : null);
        account.Status = sub.Status;
        account.CurrentPeriodStart = StripeDates.Utc(item?.CurrentPeriodStart);
        account.CurrentPeriodEnd = StripeDates.Utc(item?.CurrentPeriodEnd);
        account.TrialStart = StripeDates.Utc(sub.TrialStart);
        account.TrialEnd = StripeDates.Utc(sub.TrialEnd);
        account.CancelAtPeriodEnd = sub.CancelAtPeriodEnd;
        account.CancelAt = StripeDates.Utc(sub.CancelAt);
        account.CanceledAt = StripeDates.Utc(sub.CanceledAt);
        account.EndedAt = StripeDates.Utc(sub.EndedAt);
        account.SubscriptionCreatedAt = StripeDates.Utc(sub.Created);
        account.StateAsOf = account.StateAsOf is { } s && s > asOf ? s : asOf;
        account.UpdatedAt = now;
        if (sub.CustomerId is { } customer && account.StripeCustomerId is null)
        {
            scope.LinkCustomer(account, customer, now);
        }

        switch (sub.Status)
        {
            case SubscriptionStatuses.Trialing:
                if (account.DeferredUntil is null || account.TrialEnd != account.DeferredUntil)
                {
                    account.TrialUsed = true;
                }

                account.GracePeriodEnd = null;
                break;
            case SubscriptionStatuses.Active:
                account.GracePeriodEnd = null;
                break;
            case SubscriptionStatuses.PastDue:
                account.GracePeriodEnd ??= now.AddDays(options.Value.GraceDays);
                break;
            default:
                account.GracePeriodEnd = null;
                break;
        }

        return true;
    }

    /// <summary>
    /// The ordering rule (issue 16; docs/adr/0040): an event that refers to subscription <paramref name="subscriptionId"/>
    /// (a checkout's <c>subscription</c>, an invoice's <c>parent.subscription_details.subscription</c>) while we do not have
    /// that subscription's state (another or no subscription is stored for the user, or only the checkout's placeholder)
    /// cannot be applied from its own object: Stripe delivers in no order, and the <c>customer.subscription.*</c> events may
    /// come days later. With <paramref name="refetched"/> (the subscription as Stripe returns it now) the state is applied
    /// first, as of the event's <c>created</c> (forced, like a tie: it is Stripe's current truth); without it this throws
    /// <see cref="RefetchRequiredException"/>, and the intake (or the retry job) fetches it and applies the event again.
    /// </summary>
    /// <returns>True when the fetched subscription was applied: it is Stripe's current state, which already reflects this
    /// event (a payment, a failure), so the event must not adjust status or grace on top of it.</returns>
    internal bool RequireSubscriptionState(BillingAccount account, string subscriptionId, StripeNet.Subscription? refetched, DateTimeOffset asOf)
    {
        if (scope.MissingAtStripe.Contains(subscriptionId))
        {
            return false; // Stripe answered 404: apply the event from its own object
        }

        if (refetched is not null && refetched.Id == subscriptionId)
        {
            ApplySubscription(account, refetched, asOf, forced: true);
            return true;
        }

        if (account.StripeSubscriptionId != subscriptionId || account.StateAsOf is null)
        {
            throw new RefetchRequiredException(subscriptionId, unknownState: true);
        }

        return false;
    }

    /// <summary>
    /// Read-only: the subscription that <paramref name="evt"/> refers to and whose state is not stored, so it must be fetched
    /// from Stripe before the event is applied (the conditions of <see cref="RequireSubscriptionState"/>), or null.
    /// </summary>
    internal async Task<string?> ToFetchAsync(StripeEventEnvelope evt, CancellationToken ct)
    {
        string? subscriptionId;
        string? customerId;
        string? hint;
        var preferUser = false;
        switch (evt.Type)
        {
            case "checkout.session.completed" or "checkout.session.async_payment_succeeded":
                var session = Try(() => evt.GetObject<StripeNet.Checkout.Session>());
                if (session is not { Mode: "subscription", Status: "complete" })
                {
                    return null;
                }

                subscriptionId = session.SubscriptionId;
                customerId = session.CustomerId;
                hint = UserIds.IsValid(session.ClientReferenceId) ? session.ClientReferenceId : Meta(session.Metadata, MetadataKeys.UserId);
                preferUser = true;
                break;
            case "invoice.paid" or "invoice.payment_succeeded" or "invoice.payment_failed":
                var invoice = Try(() => evt.GetObject<StripeNet.Invoice>());
                subscriptionId = invoice is null ? null : SubscriptionIdOf(invoice);
                customerId = invoice?.CustomerId;
                hint = Meta(invoice?.Parent?.SubscriptionDetails?.Metadata, MetadataKeys.UserId);
                break;
            default:
                return null;
        }

        if (subscriptionId is null)
        {
            return null;
        }

        hint = UserIds.IsValid(hint) ? hint : null;
        BillingAccount? account = null;
        if (preferUser && hint is not null)
        {
            account = await db.Accounts.FindAsync([hint], ct);
        }

        if (account is null && customerId is not null)
        {
            account = await scope.AccountOfCustomerAsync(customerId, ct);
        }

        if (account is null && hint is not null)
        {
            account = await db.Accounts.FindAsync([hint], ct);
        }

        if (account is null)
        {
            return hint is null ? null : subscriptionId; // no user at all fails as an unknown customer, as before
        }

        return KnowsOrMayAdopt(account, subscriptionId) && (account.StripeSubscriptionId != subscriptionId || account.StateAsOf is null) ? subscriptionId : null;
    }

    /// <summary>
    /// Whether an invoice of <paramref name="subscriptionId"/> may change the account's subscription: it is the stored one,
    /// or none is stored, or the stored one has ended (a new subscription after a cancellation). An invoice of another
    /// subscription while a live one is stored (an old subscription's last invoice delivered late) is recorded but
    /// changes nothing, as before.
    /// </summary>
    internal static bool KnowsOrMayAdopt(BillingAccount account, string subscriptionId) =>
        account.StripeSubscriptionId is null || account.StripeSubscriptionId == subscriptionId || SubscriptionStatuses.IsFinal(account.Status);
    private static StripeNet.SubscriptionItem? PlanItem(StripeNet.Subscription sub) =>
        sub.Items?.Data?.FirstOrDefault(i => i.Price?.Recurring?.UsageType != "metered") ?? sub.Items?.Data?.FirstOrDefault();
    private static bool SameState(BillingAccount account, StripeNet.Subscription sub)
    {
        var item = PlanItem(sub);
        return account.Status == sub.Status && account.CancelAtPeriodEnd == sub.CancelAtPeriodEnd && account.PriceId == item?.Price?.Id
            && account.CurrentPeriodEnd == StripeDates.Utc(item?.CurrentPeriodEnd) && account.TrialEnd == StripeDates.Utc(sub.TrialEnd)
            && account.CancelAt == StripeDates.Utc(sub.CancelAt);
    }
}
