using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;

namespace Monetization.Subscriptions.Features.GetSubscriptionMetrics;

/// <summary>
/// <c>GET /v1/metrics/subscriptions</c> (read): subscribers by plan and status, monthly recurring revenue (MRR) now and at the
/// end of each of the last 12 months, users in their grace period, and failed payments of the last 7 days (issue 19's
/// dashboard overview reads this same query).
/// <para>MRR rule: a subscription contributes its plan's price normalised to a month (monthly price, or annual price / 12)
/// while it is paying: from its <c>trial_end</c> (or its <c>created</c> when it had no trial) until it ended
/// (<c>ended_at</c> for <c>canceled</c>/<c>incomplete_expired</c>; the time of its last known state for
/// <c>unpaid</c>/<c>paused</c>); <c>incomplete</c> subscriptions never count, <c>past_due</c> ones do (as Stripe's
/// Billing analytics count them until they are canceled). Per currency, monthly amounts are summed and the sum of annual
/// amounts is divided by 12 once, rounded down, so the figure is integer minor units. History is rebuilt from each user's
/// current subscription at its current plan: an earlier subscription of a user who subscribed again, or the plan before a
/// plan change, is not kept.</para>
/// </summary>
internal static class GetSubscriptionMetrics
{
    internal sealed record Request : IRequest<Response>;

    /// <summary>Users with a subscription in one plan and status.</summary>
    /// <param name="Plan">Plan key.</param>
    /// <param name="Status">Stripe's subscription status.</param>
    /// <param name="Count">Number of users.</param>
    internal sealed record PlanStatusCount(string Plan, string Status, int Count);

    /// <summary>An amount of one currency.</summary>
    /// <param name="Currency">ISO 4217, lowercase.</param>
    /// <param name="Amount">Minor units.</param>
    internal sealed record CurrencyAmount(string Currency, long Amount);

    /// <summary>MRR at the end of a month (at <c>as_of</c> for the current month).</summary>
    /// <param name="Month"><c>YYYY-MM</c>.</param>
    /// <param name="Mrr">Per currency, minor units (currencies with zero are left out).</param>
    internal sealed record MrrPoint(string Month, IReadOnlyList<CurrencyAmount> Mrr);

    /// <summary>A user whose payment failed and who keeps access until <paramref name="GracePeriodEnd"/>.</summary>
    /// <param name="UserId">User.</param>
    /// <param name="Plan">Plan.</param>
    /// <param name="GracePeriodEnd">End of the grace period, UTC.</param>
    internal sealed record GraceUser(string UserId, string? Plan, DateTimeOffset GracePeriodEnd);

    /// <summary>The metrics.</summary>
    /// <param name="AsOf">When they were computed, UTC.</param>
    /// <param name="Subscribers">Users with a subscription, by plan and status (plan, then status).</param>
    /// <param name="Mrr">MRR now, per currency.</param>
    /// <param name="MrrChange">MRR now minus MRR at the end of last month, per currency (may be negative).</param>
    /// <param name="MrrHistory">12 points, oldest first; the last is the current month at <paramref name="AsOf"/>.</param>
    /// <param name="UsersInGrace">How many users are in their grace period now.</param>
    /// <param name="GraceUsers">Up to 50 of them, soonest end first.</param>
    /// <param name="FailedPaymentsLastSevenDays">Stripe <c>invoice.payment_failed</c> events created in the last 7 days.</param>
    internal sealed record Response(
        DateTimeOffset AsOf,
        IReadOnlyList<PlanStatusCount> Subscribers,
        IReadOnlyList<CurrencyAmount> Mrr,
        IReadOnlyList<CurrencyAmount> MrrChange,
        IReadOnlyList<MrrPoint> MrrHistory,
        int UsersInGrace,
        IReadOnlyList<GraceUser> GraceUsers,
        int FailedPaymentsLastSevenDays);

    internal sealed class Handler(SubscriptionsDbContext db, PlanCatalog catalog, TimeProvider clock) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var subscribers = await db.Accounts.AsNoTracking()
                .Where(a => a.Plan != null && a.Status != SubscriptionStatuses.None)
                .GroupBy(a => new { a.Plan, a.Status })
                .Select(g => new PlanStatusCount(g.Key.Plan!, g.Key.Status, g.Count()))
                .ToListAsync(cancellationToken);

            var historyStart = BillingPeriod.Containing(now).Start.AddMonths(-11);
            var lifetimes = await db.Accounts.AsNoTracking()
                .Where(a => a.Plan != null && a.Cadence != null && a.Status != SubscriptionStatuses.None && a.Status != SubscriptionStatuses.Incomplete)
                .Where(a => a.EndedAt == null || a.EndedAt >= historyStart)
                .Select(a => new Lifetime(a.Plan!, a.Cadence!, a.Status, a.SubscriptionCreatedAt, a.TrialEnd, a.EndedAt, a.StateAsOf))
                .ToListAsync(cancellationToken);

            var history = new List<MrrPoint>(12);
            var period = BillingPeriod.Containing(historyStart);
            for (var i = 0; i < 12; i++, period = period.Next())
            {
                var at = i == 11 ? now : period.End.AddTicks(-1);
                history.Add(new MrrPoint(period.ToString(), MrrAt(lifetimes, at)));
            }

            var current = history[^1].Mrr;
            var previous = history[^2].Mrr;
            var change = current.Select(c => c.Currency).Union(previous.Select(p => p.Currency)).Order(StringComparer.Ordinal)
                .Select(currency => new CurrencyAmount(currency, AmountOf(current, currency) - AmountOf(previous, currency)))
                .ToList();

            var inGrace = db.Accounts.AsNoTracking().Where(a => a.GracePeriodEnd != null && a.GracePeriodEnd > now);
            var graceCount = await inGrace.CountAsync(cancellationToken);
            var graceUsers = await inGrace.OrderBy(a => a.GracePeriodEnd).ThenBy(a => a.UserId).Take(50)
                .Select(a => new GraceUser(a.UserId, a.Plan, a.GracePeriodEnd!.Value)).ToListAsync(cancellationToken);

            var weekAgo = now.AddDays(-7);
            var failed = await db.StripeEvents.AsNoTracking()
                .CountAsync(e => e.ReceivedAt >= weekAgo.AddDays(-1) && e.Created >= weekAgo && e.Type == "invoice.payment_failed", cancellationToken);

            return new Response(
                now,
                subscribers.OrderBy(s => catalog.Find(s.Plan)?.Rank ?? int.MaxValue).ThenBy(s => s.Plan, StringComparer.Ordinal).ThenBy(s => s.Status, StringComparer.Ordinal).ToList(),
                current,
                change,
                history,
                graceCount,
                graceUsers,
                failed);
        }

        private List<CurrencyAmount> MrrAt(List<Lifetime> lifetimes, DateTimeOffset at)
        {
            var monthly = new Dictionary<string, long>(StringComparer.Ordinal);
            var annual = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var l in lifetimes)
            {
                if (!l.PayingAt(at) || catalog.Find(l.Plan) is not { } plan || !plan.Prices.TryGetValue(l.Cadence, out var price))
                {
                    continue;
                }

                var sums = l.Cadence == Cadences.Annual ? annual : monthly;
                sums[price.Currency] = sums.GetValueOrDefault(price.Currency) + price.Amount;
            }

            return monthly.Keys.Union(annual.Keys).Order(StringComparer.Ordinal)
                .Select(c => new CurrencyAmount(c, monthly.GetValueOrDefault(c) + (annual.GetValueOrDefault(c) / 12)))
                .Where(c => c.Amount != 0)
                .ToList();
        }

        private static long AmountOf(IReadOnlyList<CurrencyAmount> amounts, string currency) =>
            amounts.FirstOrDefault(a => a.Currency == currency)?.Amount ?? 0;
    }

    /// <summary>The paying interval of a user's current subscription (see the MRR rule above).</summary>
    private sealed record Lifetime(string Plan, string Cadence, string Status, DateTimeOffset? Created, DateTimeOffset? TrialEnd, DateTimeOffset? EndedAt, DateTimeOffset? StateAsOf)
    {
        public bool PayingAt(DateTimeOffset at)
        {
            if (Created is not { } created)
            {
                return false;
            }

            var from = TrialEnd is { } trialEnd && trialEnd > created ? trialEnd : created;
            DateTimeOffset? until = Status switch
            {
                SubscriptionStatuses.Canceled or SubscriptionStatuses.IncompleteExpired => EndedAt ?? StateAsOf ?? created,
                SubscriptionStatuses.Unpaid or SubscriptionStatuses.Paused => StateAsOf ?? created,
                _ => null,
            };
            return from <= at && (until is null || at < until);
        }
    }
}
