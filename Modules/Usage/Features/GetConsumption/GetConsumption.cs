using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Http;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.GetConsumption;

/// <summary>
/// <c>GET /v1/usage/{user_id}/consumption?month=YYYY-MM</c>: per meter the usage, the plan's limit, percent, cost so
/// far and a breakdown by dimension, with alerts (soft at 80 %, hard at 100 %) and <c>X-Billing-Alert</c>
/// (<c>soft_limit_warning</c> / <c>hard_limit_reached</c>; seed 002). Read only from the rollup rows of the user and
/// month (one primary-key range), never from raw events.
/// </summary>
internal static class GetConsumption
{
    /// <summary>The query.</summary>
    /// <param name="UserId">User.</param>
    /// <param name="Month"><c>YYYY-MM</c>, or null for the current month.</param>
    internal sealed record Request(string UserId, string? Month) : IRequest<Response>;

    /// <summary>The consumption of a month.</summary>
    /// <param name="UserId">User.</param>
    /// <param name="Period">Month <c>YYYY-MM</c>.</param>
    /// <param name="Plan">Plan key whose limits apply.</param>
    /// <param name="Currency">Currency of costs.</param>
    /// <param name="TotalCost">Cost so far of all meters, minor units.</param>
    /// <param name="Meters">Each configured meter.</param>
    /// <param name="Alerts">Meters at or above a threshold.</param>
    internal sealed record Response(string UserId, string Period, string Plan, string Currency, long TotalCost, IReadOnlyList<MeterConsumption> Meters, IReadOnlyList<Alert> Alerts)
        : IHasResponseHeaders
    {
        public IEnumerable<KeyValuePair<string, string>> ResponseHeaders()
        {
            if (Alerts.Any(a => a.Level == "hard"))
            {
                yield return new("X-Billing-Alert", "hard_limit_reached");
            }
            else if (Alerts.Count > 0)
            {
                yield return new("X-Billing-Alert", "soft_limit_warning");
            }
        }
    }

    /// <summary>One meter's consumption.</summary>
    /// <param name="Meter">Meter key.</param>
    /// <param name="Aggregation"><c>count</c>, <c>sum</c>, <c>max</c>, <c>unique_count</c>.</param>
    /// <param name="Used">Usage in the month.</param>
    /// <param name="Limit">The plan's monthly limit, null = unlimited.</param>
    /// <param name="Remaining">Limit − used, not below zero; null = unlimited.</param>
    /// <param name="Percent">Used / limit × 100, two decimals; null = unlimited.</param>
    /// <param name="Cost">Cost so far, minor units (0 for unpriced meters).</param>
    /// <param name="Breakdown">Per kept dimension, the usage by value (for unique_count: distinct values within each combination, summed).</param>
    internal sealed record MeterConsumption(string Meter, string Aggregation, long Used, long? Limit, long? Remaining, decimal? Percent, long Cost, IReadOnlyDictionary<string, IReadOnlyList<BreakdownItem>> Breakdown);

    /// <summary>Usage of one dimension value.</summary>
    /// <param name="Value">The value (<c>gpt-4o</c>).</param>
    /// <param name="Used">Usage.</param>
    /// <param name="InputTokens">Input tokens (priced meters).</param>
    /// <param name="OutputTokens">Output tokens (priced meters).</param>
    /// <param name="Cost">Cost, minor units (priced meters, by model).</param>
    internal sealed record BreakdownItem(string Value, long Used, long InputTokens, long OutputTokens, long Cost);

    /// <summary>A threshold reached.</summary>
    /// <param name="Meter">Meter.</param>
    /// <param name="Level"><c>soft</c> (≥ 80 %) or <c>hard</c> (≥ 100 %).</param>
    /// <param name="Threshold">80 or 100.</param>
    /// <param name="Used">Usage.</param>
    /// <param name="Limit">Limit.</param>
    internal sealed record Alert(string Meter, string Level, int Threshold, long Used, long Limit);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.UserId).MustBeUserId();
            RuleFor(r => r.Month).Must(m => m is null || BillingPeriod.TryParse(m, out _)).WithMessage("month must be YYYY-MM (e.g. 2026-11).");
        }
    }

    internal sealed class Handler(UsageDbContext db, TimeProvider clock, MeterCatalog meters, PlanLimits planLimits, TokenPricing pricing)
        : IRequestHandler<Request, Response>
    {
        // Compiled once: the route is read on every product page view, and EF Core's per-call query preparation was a
        // measurable part of the answer (issue 22).
        private static readonly Func<UsageDbContext, string, string, IAsyncEnumerable<UsageRollup>> RollupsOf = EF.CompileAsyncQuery(
            (UsageDbContext db, string userId, string period) => db.Rollups.AsNoTracking().Where(r => r.UserId == userId && r.Period == period));

        private static readonly Func<UsageDbContext, string, Task<UsageAccount?>> AccountOf = EF.CompileAsyncQuery(
            (UsageDbContext db, string userId) => db.Accounts.AsNoTracking().FirstOrDefault(a => a.UserId == userId));

        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var period = (request.Month is null ? BillingPeriod.Containing(clock.GetUtcNow()) : BillingPeriod.Parse(request.Month)).ToString();
            var rows = await RollupsOf(db, request.UserId, period).ToListAsync(cancellationToken);
            var account = await AccountOf(db, request.UserId);
            var limits = planLimits.For(account);
            var pluginIds = rows.Select(r => DimensionKey.Decode(r.Dimensions).GetValueOrDefault("plugin_id")).OfType<string>().Distinct().ToList();
            var pluginPrices = pluginIds.Count == 0
                ? new Dictionary<string, PluginPrice>(StringComparer.Ordinal)
                : await db.PluginPrices.AsNoTracking().Where(p => pluginIds.Contains(p.PluginId)).ToDictionaryAsync(p => p.PluginId, StringComparer.Ordinal, cancellationToken);
            var lines = PricedLines.From(rows, meters, pricing, pluginPrices);
            var result = new List<MeterConsumption>();
            var alerts = new List<Alert>();
            foreach (var meter in meters.All)
            {
                var meterRows = rows.Where(r => r.Meter == meter.Key).ToList();
                var used = meterRows.FirstOrDefault(r => r.Dimensions.Length == 0)?.Used ?? 0;
                var limit = limits.Of(meter.Entitlement);
                var meterLines = lines.Where(l => l.Meter == meter.Key).ToList();
                var breakdown = new Dictionary<string, IReadOnlyList<BreakdownItem>>(StringComparer.Ordinal);
                var combos = meterRows.Where(r => r.Dimensions.Length > 0).Select(r => (Row: r, Dims: DimensionKey.Decode(r.Dimensions))).ToList();
                foreach (var dimension in meter.Dimensions)
                {
                    breakdown[dimension] = combos.Where(c => c.Dims.ContainsKey(dimension))
                        .GroupBy(c => c.Dims[dimension], StringComparer.Ordinal)
                        .Select(g => new BreakdownItem(
                            g.Key,
                            meter.Aggregation == MeterAggregation.Max ? g.Max(c => c.Row.Used) : g.Sum(c => c.Row.Used),
                            g.Sum(c => c.Row.InputTokens),
                            g.Sum(c => c.Row.OutputTokens),
                            meterLines.Where(l => (dimension == "model" ? l.Model : dimension == "plugin_id" ? l.PluginId : null) == g.Key).Sum(l => l.Amount)))
                        .OrderByDescending(b => b.Used)
                        .ThenBy(b => b.Value, StringComparer.Ordinal)
                        .ToList();
                }

                decimal? percent = limit is { } l ? (l == 0 ? (used > 0 ? 100m : 0m) : decimal.Round(used * 100m / l, 2)) : null;
                result.Add(new MeterConsumption(meter.Key, meter.AggregationName, used, limit, limit is { } r ? Math.Max(0, r - used) : null, percent, meterLines.Sum(x => x.Amount), breakdown));
                var level = Thresholds.LevelOf(used, limit);
                if (level is not null)
                {
                    alerts.Add(new Alert(meter.Key, level, level == "hard" ? Thresholds.Hard : Thresholds.Soft, used, limit!.Value));
                }
            }

            return new Response(request.UserId, period, limits.Plan, pricing.Currency, lines.Sum(l => l.Amount), result, alerts);
        }
    }
}
