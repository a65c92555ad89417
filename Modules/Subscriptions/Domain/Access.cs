using System.Globalization;
using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Subscriptions.Data;

namespace Monetization.Subscriptions.Domain;

/// <summary>Effective access tiers.</summary>
internal static class AccessTiers
{
    public const string Paid = "paid";
    public const string Free = "free";
}

/// <summary>Why access is what it is.</summary>
internal static class AccessReasons
{
    public const string Subscription = "subscription";
    public const string Trial = "trial";
    public const string Grace = "grace";
    public const string Credit = "credit";
    public const string None = "none";
}

/// <summary>A user's effective access at one instant.</summary>
/// <param name="Tier"><c>paid</c> or <c>free</c>.</param>
/// <param name="Reason"><c>subscription</c>, <c>trial</c>, <c>grace</c>, <c>credit</c> or <c>none</c> (the strongest source, in that order).</param>
/// <param name="Until">Until when paid access is assured (the latest end of the active sources), UTC; null when free.</param>
/// <param name="Plan">The plan whose entitlements apply.</param>
/// <param name="NextCheckAt">When access can change without a Stripe event (grace or credit running out), UTC.</param>
internal sealed record AccessState(string Tier, string Reason, DateTimeOffset? Until, Plan Plan, DateTimeOffset? NextCheckAt);

/// <summary>
/// Computes effective access (the rules): a live subscription in <c>active</c> gives paid access until its period end;
/// <c>trialing</c> gives it as a trial, or as the subscription itself when the trial is our deferral of a paying user's
/// charge by referral credit; <c>past_due</c> keeps it until the grace period ends (seed 002: 3 days); a running referral
/// credit gives paid access on its own. Stripe's status is trusted for active/trialing (the reconciliation job repairs
/// drift); grace and credit run out on our clock.
/// </summary>
internal static class AccessCalculator
{
    public static AccessState Compute(BillingAccount account, PlanCatalog catalog, DateTimeOffset now)
    {
        var plan = catalog.Find(account.Plan);
        var paidPlan = plan is { IsPaid: true } ? plan : null;
        string? reason = null;
        DateTimeOffset? until = null;
        DateTimeOffset? nextCheck = null;

        if (paidPlan is not null)
        {
            switch (account.Status)
            {
                case SubscriptionStatuses.Active:
                    reason = AccessReasons.Subscription;
                    until = account.CancelAt ?? account.CurrentPeriodEnd;
                    break;
                case SubscriptionStatuses.Trialing:
                    var deferral = account.DeferredUntil is { } d && account.TrialEnd is { } te && te == d;
                    reason = deferral ? AccessReasons.Subscription : AccessReasons.Trial;
                    until = account.TrialEnd ?? account.CurrentPeriodEnd;
                    break;
                case SubscriptionStatuses.PastDue:
                    if (account.GracePeriodEnd is { } grace && grace > now)
                    {
                        reason = AccessReasons.Grace;
                        until = grace;
                        nextCheck = grace;
                    }

                    break;
            }
        }

        if (account.CreditUntil is { } credit && credit > now)
        {
            nextCheck = nextCheck is null || credit < nextCheck ? credit : nextCheck;
            if (reason is null)
            {
                reason = AccessReasons.Credit;
                until = credit;
            }
            else if (until is null || credit > until)
            {
                until = credit;
            }
        }

        if (reason is null)
        {
            return new AccessState(AccessTiers.Free, AccessReasons.None, null, catalog.Free, nextCheck);
        }

        var effectivePlan = reason == AccessReasons.Credit ? paidPlan ?? catalog.CreditPlan : paidPlan!;
        return new AccessState(AccessTiers.Paid, reason, until, effectivePlan, nextCheck);
    }

    /// <summary>
    /// Recomputes access and, when plan, status, tier, reason, period or cancellation changed since the last publication,
    /// bumps the account's version and queues <see cref="SubscriptionChanged"/> in the same unit of work (outbox).
    /// </summary>
    /// <returns>The access state.</returns>
    public static AccessState PublishIfChanged(SubscriptionsDbContext db, BillingAccount account, PlanCatalog catalog, DateTimeOffset now)
    {
        var access = Compute(account, catalog, now);
        account.NextAccessCheckAt = access.NextCheckAt;
        var state = string.Join(
            '|',
            access.Plan.Key,
            account.Status,
            access.Tier,
            access.Reason,
            account.Cadence ?? "",
            account.StripeCustomerId ?? "",
            account.StripeSubscriptionId ?? "",
            Ticks(account.CurrentPeriodEnd),
            Ticks(access.Until),
            account.CancelAtPeriodEnd ? "1" : "0");
        if (state == account.PublishedState)
        {
            return access;
        }

        var previous = account.PublishedState?.Split('|');
        account.PublishedState = state;
        account.Version++;
        account.UpdatedAt = now;
        db.AddIntegrationEvent(new SubscriptionChanged(
            IntegrationEventIds.New(now),
            now,
            account.UserId,
            access.Plan.Key,
            account.Status,
            access.Tier,
            account.Cadence,
            account.StripeCustomerId,
            account.StripeSubscriptionId,
            account.CurrentPeriodEnd,
            access.Plan.Entitlements,
            account.Version,
            access.Reason,
            access.Until,
            account.CancelAtPeriodEnd,
            PreviousPlan: previous is { Length: > 2 } ? previous[0] : null,
            PreviousStatus: previous is { Length: > 2 } ? previous[1] : null,
            PreviousAccessTier: previous is { Length: > 2 } ? previous[2] : null));
        return access;
    }

    private static string Ticks(DateTimeOffset? value) => value?.UtcTicks.ToString(CultureInfo.InvariantCulture) ?? "";
}
