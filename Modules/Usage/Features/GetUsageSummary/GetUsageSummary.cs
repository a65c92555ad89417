using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.GetUsageSummary;

/// <summary>
/// <c>GET /v1/usage/{user_id}/summary?from=&amp;to=&amp;group_by=model|plugin_id|day</c> (issue 20; seed 003's usage summary by
/// model, agent and date range), answered from rollups only, never from raw events:
/// <list type="bullet">
/// <item><c>group_by=model</c> / <c>plugin_id</c>: the month rollups' dimension rows, so <c>from</c>/<c>to</c> are months
/// (<c>YYYY-MM</c>, both inclusive; a day or instant that is not a month's edge is a 422 naming the field). Usage without
/// the dimension is grouped under <c>key: null</c>.</item>
/// <item><c>group_by=day</c> (the default): the day totals (<see cref="UsageDayTotal"/>); <c>from</c>/<c>to</c> are days or
/// months (inclusive).</item>
/// </list>
/// Defaults: <c>from</c> = the first day of the current UTC month, <c>to</c> = today. At most 366 days or 36 months.
/// </summary>
internal static class GetUsageSummary
{
    /// <summary>The query.</summary>
    internal sealed record Request(string UserId, string? From, string? To, string? GroupBy) : IRequest<Response>;

    /// <summary>The summary.</summary>
    /// <param name="UserId">User.</param>
    /// <param name="From">First day covered (UTC).</param>
    /// <param name="To">Last day covered (UTC, inclusive).</param>
    /// <param name="GroupBy"><c>model</c>, <c>plugin_id</c> or <c>day</c>.</param>
    /// <param name="Data">One row per (group key, meter), ordered by key then meter.</param>
    internal sealed record Response(string UserId, string From, string To, string GroupBy, IReadOnlyList<Group> Data);

    /// <summary>Usage of one group of one meter.</summary>
    /// <param name="Key">The model, plugin id or day (<c>YYYY-MM-DD</c>); null for usage without that dimension.</param>
    /// <param name="Meter">Meter key.</param>
    /// <param name="Used">Aggregated usage (count, sum; for max meters the largest month or day value).</param>
    /// <param name="InputTokens">Input tokens (meters priced by model).</param>
    /// <param name="OutputTokens">Output tokens (meters priced by model).</param>
    /// <param name="Events">Events counted.</param>
    internal sealed record Group(string? Key, string Meter, long Used, long InputTokens, long OutputTokens, long Events);

    internal static readonly string[] Groupings = ["model", "plugin_id", "day"];

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.UserId).MustBeUserId();
            RuleFor(r => r.GroupBy).Must(g => g is null || Groupings.Contains(g)).WithMessage("group_by is model, plugin_id or day.");
            RuleFor(r => r.From).Must(TimeRange.IsValid).WithMessage("from " + TimeRange.Message);
            RuleFor(r => r.To).Must(TimeRange.IsValid).WithMessage("to " + TimeRange.Message);
            When(r => r.GroupBy is "model" or "plugin_id", () =>
            {
                RuleFor(r => r.From).Must(f => f is null || f.Length == 7)
                    .WithMessage(r => $"from is a month YYYY-MM with group_by={r.GroupBy} (answered from monthly rollups).");
                RuleFor(r => r.To).Must(t => t is null || t.Length == 7)
                    .WithMessage(r => $"to is a month YYYY-MM with group_by={r.GroupBy} (answered from monthly rollups).");
            });
            When(r => r.GroupBy is null or "day", () =>
            {
                RuleFor(r => r.From).Must(f => f is null || f.Length is 7 or 10).WithMessage("from is a day YYYY-MM-DD or a month YYYY-MM with group_by=day.");
                RuleFor(r => r.To).Must(t => t is null || t.Length is 7 or 10).WithMessage("to is a day YYYY-MM-DD or a month YYYY-MM with group_by=day.");
            });
        }
    }

    internal sealed class Handler(UsageDbContext db, TimeProvider clock, MeterCatalog meters) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
            var groupBy = request.GroupBy ?? "day";
            var from = TimeRange.Parse(request.From, false, new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero));
            var end = TimeRange.Parse(request.To, true, today.AddDays(1));
            if (end <= from)
            {
                throw Monetization.BuildingBlocks.Http.ProblemException.Invalid("to", "to must not be before from.");
            }

            var fromDay = from.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            var toDay = end.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            List<Group> groups;
            if (groupBy == "day")
            {
                if ((end - from).TotalDays > 366)
                {
                    throw Monetization.BuildingBlocks.Http.ProblemException.Invalid("to", "A summary by day covers at most 366 days.");
                }

                // The day table is clustered by day first (UsageDayTotal): one seek per day of the range, not a scan of
                // every user's days in it.
                var days = new List<int>();
                for (var day = from; day < end; day = day.AddDays(1))
                {
                    days.Add(UsageDay.Number(day));
                }

                var rows = await db.DayTotals.AsNoTracking()
                    .Where(d => days.Contains(d.Day) && d.UserId == request.UserId)
                    .ToListAsync(cancellationToken);
                groups = rows.Select(d => new Group(UsageDay.Text(d.Day), d.Meter, d.Used, d.InputTokens, d.OutputTokens, d.Events)).ToList();
            }
            else
            {
                var months = new List<string>();
                for (var month = BillingPeriod.Containing(from); month.Start < end; month = month.Next())
                {
                    months.Add(month.ToString());
                    if (months.Count > 36)
                    {
                        throw Monetization.BuildingBlocks.Http.ProblemException.Invalid("to", "A summary by model or plugin_id covers at most 36 months.");
                    }
                }

                var all = await db.Rollups.AsNoTracking()
                    .Where(r => r.UserId == request.UserId && months.Contains(r.Period))
                    .ToListAsync(cancellationToken);
                var rows = all.Where(r => r.Dimensions.Length > 0).ToList();

                // Events with no dimension value at all have no dimension row: the month total minus its dimension rows
                // is their usage, counted under key null (not for max meters, whose total is not a sum).
                foreach (var total in all.Where(r => r.Dimensions.Length == 0))
                {
                    if (meters.TryGet(total.Meter, out var meter) && meter.Aggregation is MeterAggregation.Max or MeterAggregation.UniqueCount)
                    {
                        continue;
                    }

                    var split = rows.Where(r => r.Period == total.Period && r.Meter == total.Meter).ToList();
                    var rest = new UsageRollup
                    {
                        Meter = total.Meter,
                        Period = total.Period,
                        Used = total.Used - split.Sum(r => r.Used),
                        InputTokens = total.InputTokens - split.Sum(r => r.InputTokens),
                        OutputTokens = total.OutputTokens - split.Sum(r => r.OutputTokens),
                        Events = total.Events - split.Sum(r => r.Events),
                    };
                    if (rest.Events > 0)
                    {
                        rows.Add(rest);
                    }
                }

                groups = rows
                    .Select(r => (Row: r, Key: r.Dimensions.Length == 0 ? null : DimensionKey.Decode(r.Dimensions).GetValueOrDefault(groupBy)))
                    .GroupBy(x => (x.Key, x.Row.Meter))
                    .Select(g => new Group(g.Key.Key, g.Key.Meter,
                        meters.TryGet(g.Key.Meter, out var m) && m.Aggregation == MeterAggregation.Max ? g.Max(x => x.Row.Used) : g.Sum(x => x.Row.Used),
                        g.Sum(x => x.Row.InputTokens), g.Sum(x => x.Row.OutputTokens), g.Sum(x => x.Row.Events)))
                    .ToList();
            }

            return new Response(request.UserId, fromDay, toDay, groupBy,
                groups.OrderBy(g => g.Key ?? "\uffff", StringComparer.Ordinal).ThenBy(g => g.Meter, StringComparer.Ordinal).ToList());
        }
    }
}
