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
            var result = new List<MeterConsumption>(meters.All.Count);
            var alerts = new List<Alert>();
            foreach (var meter in meters.All)
            {
                var used = 0L;
                var cost = 0L;
                foreach (var row in rows)
                {
                    if (row.Dimensions.Length == 0 && row.Meter == meter.Key)
                    {
                        used = row.Used;
                        break;
                    }
                }

                foreach (var line in lines)
                {
                    if (line.Meter == meter.Key)
                    {
                        cost += line.Amount;
                    }
                }

                var breakdown = new Dictionary<string, IReadOnlyList<BreakdownItem>>(meter.Dimensions.Count, StringComparer.Ordinal);
                foreach (var dimension in meter.Dimensions)
                {
                    breakdown[dimension] = Breakdown(meter, dimension, rows, lines);
                }

                var limit = limits.Of(meter.Entitlement);
                decimal? percent = limit is { } l ? (l == 0 ? (used > 0 ? 100m : 0m) : decimal.Round(used * 100m / l, 2)) : null;
                result.Add(new MeterConsumption(meter.Key, meter.AggregationName, used, limit, limit is { } r ? Math.Max(0, r - used) : null, percent, cost, breakdown));
                var level = Thresholds.LevelOf(used, limit);
                if (level is not null)
                {
                    alerts.Add(new Alert(meter.Key, level, level == "hard" ? Thresholds.Hard : Thresholds.Soft, used, limit!.Value));
                }
            }

            var totalCost = 0L;
            foreach (var line in lines)
            {
                totalCost += line.Amount;
            }

            return new Response(request.UserId, period, limits.Plan, pricing.Currency, totalCost, result, alerts);
        }

        /// <summary>
        /// One dimension's breakdown of a meter: the usage of each value over the month rows that carry it (the largest for
        /// <c>max</c> meters, else the sum), its tokens, and the cost of the priced lines with that model or plugin; by usage,
        /// largest first, then by value. Loops instead of LINQ groupings: this runs on every product page view (issue 22).
        /// </summary>
        private static List<BreakdownItem> Breakdown(Meter meter, string dimension, List<UsageRollup> rows, List<PricedLine> lines)
        {
            var byValue = new Dictionary<string, (long Used, long Input, long Output)>(StringComparer.Ordinal);
            foreach (var row in rows)
            {
                if (row.Meter != meter.Key || row.Dimensions.Length == 0 || !DimensionKey.Decode(row.Dimensions).TryGetValue(dimension, out var value))
                {
                    continue;
                }

                var sum = byValue.GetValueOrDefault(value);
                byValue[value] = (meter.Aggregation == MeterAggregation.Max ? Math.Max(sum.Used, row.Used) : sum.Used + row.Used, sum.Input + row.InputTokens, sum.Output + row.OutputTokens);
            }

            var items = new List<BreakdownItem>(byValue.Count);
            foreach (var (value, sum) in byValue)
            {
                var cost = 0L;
                foreach (var line in lines)
                {
                    if (line.Meter == meter.Key && (dimension == "model" ? line.Model : dimension == "plugin_id" ? line.PluginId : null) == value)
                    {
                        cost += line.Amount;
                    }
                }

                items.Add(new BreakdownItem(value, sum.Used, sum.Input, sum.Output, cost));
            }

            items.Sort(static (a, b) => a.Used != b.Used ? b.Used.CompareTo(a.Used) : string.CompareOrdinal(a.Value, b.Value));
            return items;
        }
    }
}
