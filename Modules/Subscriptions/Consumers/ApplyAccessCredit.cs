using Monetization.BuildingBlocks.Billing;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Referrals;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;
using Monetization.Subscriptions.Jobs;

namespace Monetization.Subscriptions.Consumers;

/// <summary>
/// <see cref="AccessCreditGranted"/> (Referrals): extends <c>credit_until</c> by the granted days from max(now, credit_until);
/// for a paying user (active or trialing subscription) also queues the deferral of their next charge by the same days
/// (<see cref="CreditDeferralJob"/> sets <c>trial_end</c> through Stripe). A grant already seen, or reversed before it
/// arrived, changes nothing.
/// </summary>
internal sealed class ApplyAccessCredit(SubscriptionsDbContext db, TimeProvider clock, PlanCatalog catalog, CreditDeferralSignal signal)
    : IdempotentConsumer<AccessCreditGranted, SubscriptionsDbContext>(db, clock)
{
    protected override async Task HandleAsync(AccessCreditGranted integrationEvent, CancellationToken cancellationToken)
    {
        if (integrationEvent.Days <= 0 || !UserIds.IsValid(integrationEvent.UserId))
        {
            return; // nothing to grant; the issuer guarantees days > 0
        }

        var now = Clock.GetUtcNow();
        var grant = await Db.CreditGrants.FindAsync([integrationEvent.GrantId], cancellationToken);
        if (grant is not null)
        {
            grant.GrantedAt ??= now; // already applied, or reversed before it arrived (a tombstone): no credit
            return;
        }

        var account = await Db.Accounts.FindAsync([integrationEvent.UserId], cancellationToken);
        if (account is null)
        {
            account = new BillingAccount { UserId = integrationEvent.UserId, CreatedAt = now, UpdatedAt = now };
            Db.Accounts.Add(account);
        }

        var from = account.CreditUntil is { } until && until > now ? until : now;
        account.CreditUntil = from.AddDays(integrationEvent.Days);
        account.UpdatedAt = now;
        grant = new CreditGrant
        {
            GrantId = integrationEvent.GrantId,
            UserId = integrationEvent.UserId,
            Days = integrationEvent.Days,
            Reason = integrationEvent.Reason,
            GrantedAt = now,
        };
        var paying = account.StripeSubscriptionId is not null && catalog.Find(account.Plan) is { IsPaid: true }
            && account.Status is SubscriptionStatuses.Active or SubscriptionStatuses.Trialing && !account.CancelAtPeriodEnd;
        if (paying)
        {
            grant.DeferralState = DeferralStates.Pending;
            grant.DeferralSubscriptionId = account.StripeSubscriptionId;
            signal.Notify();
        }

        Db.CreditGrants.Add(grant);
        AccessCalculator.PublishIfChanged(Db, account, catalog, now);
    }
}

/// <summary>
/// <see cref="AccessCreditReversed"/> (Referrals clawback): shrinks <c>credit_until</c> back by the days; a charge deferral not
/// yet sent is dropped, one already sent is undone through Stripe. A reversal that arrives before its grant is remembered
/// so the late grant gives nothing.
/// </summary>
internal sealed class ReverseAccessCredit(SubscriptionsDbContext db, TimeProvider clock, PlanCatalog catalog, CreditDeferralSignal signal)
    : IdempotentConsumer<AccessCreditReversed, SubscriptionsDbContext>(db, clock)
{
    protected override async Task HandleAsync(AccessCreditReversed integrationEvent, CancellationToken cancellationToken)
    {
        var now = Clock.GetUtcNow();
        var grant = await Db.CreditGrants.FindAsync([integrationEvent.GrantId], cancellationToken);
        if (grant is null)
        {
            Db.CreditGrants.Add(new CreditGrant
            {
                GrantId = integrationEvent.GrantId,
                UserId = integrationEvent.UserId,
                Days = integrationEvent.Days,
                Reason = integrationEvent.Reason,
                ReversedAt = now,
            });
            return;
        }

        if (grant.ReversedAt is not null)
        {
            return;
        }

        grant.ReversedAt = now;
        var account = await Db.Accounts.FirstOrDefaultAsync(a => a.UserId == grant.UserId, cancellationToken);
        if (account?.CreditUntil is { } until)
        {
            account.CreditUntil = until.AddDays(-Math.Min(integrationEvent.Days, grant.Days));
            account.UpdatedAt = now;
        }

        switch (grant.DeferralState)
        {
            case DeferralStates.Pending or DeferralStates.Failed:
                grant.DeferralState = DeferralStates.None;
                grant.DeferralError = "reversed before the deferral was sent to Stripe";
                break;
            case DeferralStates.Done:
                grant.DeferralState = DeferralStates.UndoPending;
                grant.DeferralNextAttemptAt = null;
                grant.DeferralAttempts = 0;
                signal.Notify();
                break;
        }

        if (account is not null)
        {
            AccessCalculator.PublishIfChanged(Db, account, catalog, now);
        }
    }
}
