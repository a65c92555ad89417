using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.IntegrationEvents.Usage;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Consumers;

/// <summary>
/// Keeps the user's plan limits from <see cref="SubscriptionChanged.Entitlements"/> (null = unlimited), applied only when
/// <see cref="SubscriptionChanged.Version"/> is above the last applied (out-of-order delivery), and the Stripe customer.
/// Then re-evaluates this month's thresholds against the new limits: an alert whose usage is now under its threshold is
/// resolved (<see cref="UsageThresholdCrossed"/> with <c>Resolved</c>), and a threshold newly reached (a downgrade) is
/// raised, still once per user, meter, period and threshold.
/// </summary>
internal sealed class ApplySubscriptionChange(UsageDbContext db, TimeProvider clock, PlanLimits planLimits, MeterCatalog meters, AccountCache accountCache)
    : IdempotentConsumer<SubscriptionChanged, UsageDbContext>(db, clock)
{
    protected override async Task HandleAsync(SubscriptionChanged integrationEvent, CancellationToken cancellationToken)
    {
        var now = Clock.GetUtcNow();
        var account = await Db.Accounts.FirstOrDefaultAsync(a => a.UserId == integrationEvent.UserId, cancellationToken);
        if (account is null)
        {
            account = new UsageAccount { UserId = integrationEvent.UserId };
            Db.Accounts.Add(account);
        }

        if (integrationEvent.StripeCustomerId is { Length: > 0 } customer)
        {
            account.StripeCustomerId = customer;
        }

        account.UpdatedAt = now;
        if (integrationEvent.Version <= account.PlanVersion)
        {
            return;
        }

        accountCache.Invalidate(account.UserId);
        var entitlements = integrationEvent.Entitlements;
        account.StripeSubscriptionId = integrationEvent.Status is "canceled" or "incomplete_expired" ? null : integrationEvent.StripeSubscriptionId;
        account.Plan = integrationEvent.Plan;
        account.PlanVersion = integrationEvent.Version;
        account.ProjectsLimit = entitlements.Projects;
        account.DeploysLimit = entitlements.Deploys;
        account.ApiCallsLimit = entitlements.ApiCalls;
        account.TokensLimit = entitlements.Tokens;

        var period = BillingPeriod.Containing(now).ToString();
        var limits = planLimits.For(account);
        var totals = await Db.Rollups.AsNoTracking()
            .Where(r => r.UserId == account.UserId && r.Period == period && r.Dimensions == "")
            .ToDictionaryAsync(r => r.Meter, r => r.Used, StringComparer.Ordinal, cancellationToken);
        var alerts = await Db.ThresholdAlerts.Where(a => a.UserId == account.UserId && a.Period == period).ToListAsync(cancellationToken);
        foreach (var meter in meters.All.Where(m => m.Entitlement is not null))
        {
            var used = totals.GetValueOrDefault(meter.Key);
            var limit = limits.Of(meter.Entitlement);
            foreach (var threshold in Thresholds.All)
            {
                var alert = alerts.FirstOrDefault(a => a.Meter == meter.Key && a.Threshold == threshold);
                var reached = Thresholds.IsAtOrAbove(used, limit, threshold);
                if (alert is not null && alert.ResolvedAt is null && !reached)
                {
                    alert.ResolvedAt = now;
                    Db.AddIntegrationEvent(new UsageThresholdCrossed(IntegrationEventIds.New(now), now, account.UserId, meter.Key, period, threshold, used, limit ?? 0, Resolved: true, Unlimited: limit is null));
                }
                else if (alert is null && reached)
                {
                    Db.ThresholdAlerts.Add(new ThresholdAlert { UserId = account.UserId, Meter = meter.Key, Period = period, Threshold = threshold, Used = used, Limit = limit!.Value, CrossedAt = now });
                    Db.AddIntegrationEvent(new UsageThresholdCrossed(IntegrationEventIds.New(now), now, account.UserId, meter.Key, period, threshold, used, limit.Value, Resolved: false));
                }
            }
        }
    }
}
