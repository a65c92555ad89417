using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Http;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Earnings;

/// <summary>
/// GET /v1/marketplace/developers/{id}/earnings?period=YYYY-MM (default: the current UTC month): the developer's
/// revenue events of the period, per currency (amounts of different currencies are never summed) and per plugin.
/// Reads only the earnings aggregate (<see cref="EarningsBucket"/>, <see cref="InstallStat"/>), a range scan of about one
/// row per plugin, currency and day, whatever the number of events. A malformed period is a 422 (the seed returned
/// everything).
/// </summary>
internal static class GetEarnings
{
    internal sealed record Request(string DeveloperId, string? Period) : IRequest<Response>;

    /// <summary>Amounts of one currency, minor units. developer_share + platform_share = gross − refunded;
    /// developer_share = paid + payable + pending.</summary>
    /// <param name="Currency">ISO 4217, lowercase.</param>
    /// <param name="Gross">Collected (sales, subscription lines net of proration credits, usage charges).</param>
    /// <param name="Refunded">Refunded (positive).</param>
    /// <param name="DeveloperShare">The developer's share, net of refunds.</param>
    /// <param name="PlatformShare">The platform's share, net of refunds.</param>
    /// <param name="Paid">Developer share settled by payouts (or recovered by transfer reversals).</param>
    /// <param name="Payable">Developer share past the hold and not yet paid.</param>
    /// <param name="Pending">Developer share still in the hold (<c>Marketplace:HoldDays</c>).</param>
    /// <param name="Events">Number of revenue events.</param>
    internal sealed record CurrencyAmounts(string Currency, long Gross, long Refunded, long DeveloperShare, long PlatformShare, long Paid, long Payable, long Pending, long Events);

    /// <summary>One plugin's earnings in the period.</summary>
    /// <param name="PluginId">Plugin id.</param>
    /// <param name="Slug">Its slug.</param>
    /// <param name="Name">Its name.</param>
    /// <param name="Installs">Installs that became active in the period.</param>
    /// <param name="Uninstalls">Uninstalls in the period.</param>
    /// <param name="Amounts">Per currency.</param>
    internal sealed record PluginEarnings(string PluginId, string Slug, string Name, long Installs, long Uninstalls, IReadOnlyList<CurrencyAmounts> Amounts);

    /// <summary>The developer's earnings.</summary>
    /// <param name="DeveloperId">Developer.</param>
    /// <param name="Period">Period <c>YYYY-MM</c>.</param>
    /// <param name="RevenueShareBps">The developer's current share, basis points.</param>
    /// <param name="Installs">Installs that became active in the period, all plugins.</param>
    /// <param name="Totals">Per currency, all plugins.</param>
    /// <param name="Plugins">Per plugin.</param>
    /// <param name="Uncollected">Usage charges of the period's usage invoiced but not yet paid, per currency (issue 20): not in the totals, never payable.</param>
    internal sealed record Response(string DeveloperId, string Period, int RevenueShareBps, long Installs, IReadOnlyList<CurrencyAmounts> Totals, IReadOnlyList<PluginEarnings> Plugins, IReadOnlyList<UncollectedAmounts> Uncollected);

    /// <summary>Invoiced usage of the developer's plugins whose invoices are not paid yet, one currency, minor units.</summary>
    /// <param name="Currency">ISO 4217, lowercase.</param>
    /// <param name="Gross">Invoiced, not collected.</param>
    /// <param name="DeveloperShare">The developer's share once it is collected (pending until then).</param>
    /// <param name="Charges">Number of invoice lines.</param>
    /// <param name="PaymentFailed">Of them, lines whose invoice payment was declined.</param>
    internal sealed record UncollectedAmounts(string Currency, long Gross, long DeveloperShare, long Charges, long PaymentFailed);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator() =>
            RuleFor(r => r.Period).Must(p => BillingPeriod.TryParse(p, out _)).When(r => r.Period is not null)
                .WithMessage("period is YYYY-MM (e.g. 2026-11).");
    }

    /// <summary>A plugin's names, for the per-plugin rows.</summary>
    private sealed record PluginName(string Id, string Slug, string Name);

    internal sealed class Handler(MarketplaceDbContext db, TimeProvider clock) : IRequestHandler<Request, Response>
    {
        // Compiled once: EF Core's per-call query preparation was a measurable part of the answer (issue 22).
        private static readonly Func<MarketplaceDbContext, string, Task<int?>> ShareOf = EF.CompileAsyncQuery(
            (MarketplaceDbContext db, string developerId) => db.Developers.AsNoTracking().Where(d => d.Id == developerId).Select(d => (int?)d.RevenueShareBps).SingleOrDefault());

        private static readonly Func<MarketplaceDbContext, string, string, IAsyncEnumerable<EarningsBucket>> BucketsOf = EF.CompileAsyncQuery(
            (MarketplaceDbContext db, string developerId, string period) => db.EarningsBuckets.AsNoTracking().Where(b => b.DeveloperId == developerId && b.Period == period));

        private static readonly Func<MarketplaceDbContext, string, string, IAsyncEnumerable<InstallStat>> StatsOf = EF.CompileAsyncQuery(
            (MarketplaceDbContext db, string developerId, string period) => db.InstallStats.AsNoTracking().Where(s => s.DeveloperId == developerId && s.Period == period));

        private static readonly Func<MarketplaceDbContext, string, IAsyncEnumerable<PluginName>> PluginsOf = EF.CompileAsyncQuery(
            (MarketplaceDbContext db, string developerId) => db.Plugins.AsNoTracking().Where(p => p.DeveloperId == developerId).Select(p => new PluginName(p.Id, p.Slug, p.Name)));

        private static readonly Func<MarketplaceDbContext, string, string, IAsyncEnumerable<UncollectedAmounts>> UncollectedOf = EF.CompileAsyncQuery(
            (MarketplaceDbContext db, string developerId, string period) => db.UncollectedUsageCharges.AsNoTracking()
                .Where(c => c.DeveloperId == developerId && c.Period == period && c.VoidedAt == null)
                .GroupBy(c => c.Currency)
                .Select(g => new UncollectedAmounts(g.Key, g.Sum(c => c.Gross), g.Sum(c => c.DeveloperShare), g.LongCount(), g.LongCount(c => c.PaymentFailed))));

        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var period = (request.Period is null ? BillingPeriod.Containing(now) : BillingPeriod.Parse(request.Period)).ToString();
            var share = await ShareOf(db, request.DeveloperId)
                ?? throw ProblemException.NotFound("Developer", request.DeveloperId);
            var developer = new { Id = request.DeveloperId, RevenueShareBps = share };

            var buckets = await BucketsOf(db, developer.Id, period).ToListAsync(cancellationToken);
            var stats = await StatsOf(db, developer.Id, period).ToListAsync(cancellationToken);
            var pluginIds = buckets.Select(b => b.PluginId).Concat(stats.Select(s => s.PluginId)).Distinct().ToList();
            // The developer's own plugins (few, by index): every bucket and stat of the developer is of one of them.
            var plugins = await PluginsOf(db, developer.Id).ToDictionaryAsync(p => p.Id, StringComparer.Ordinal, cancellationToken);

            var perPlugin = pluginIds
                .OrderBy(id => plugins.TryGetValue(id, out var p) ? p.Name : id, StringComparer.Ordinal)
                .Select(id => new PluginEarnings(
                    id,
                    plugins.TryGetValue(id, out var p) ? p.Slug : "",
                    plugins.TryGetValue(id, out var q) ? q.Name : "",
                    stats.Where(s => s.PluginId == id).Sum(s => s.Installs),
                    stats.Where(s => s.PluginId == id).Sum(s => s.Uninstalls),
                    Sum(buckets.Where(b => b.PluginId == id), now)))
                .ToList();
            var uncollected = await UncollectedOf(db, developer.Id, period).ToListAsync(cancellationToken);
            return new Response(developer.Id, period, developer.RevenueShareBps, stats.Sum(s => s.Installs), Sum(buckets, now), perPlugin,
                uncollected.OrderBy(u => u.Currency, StringComparer.Ordinal).ToList());
        }

        private static List<CurrencyAmounts> Sum(IEnumerable<EarningsBucket> buckets, DateTimeOffset now) =>
            EarningsTotals.PerCurrency(buckets, now)
                .Select(t => new CurrencyAmounts(t.Currency, t.Gross, t.Refunded, t.DeveloperShare, t.PlatformShare, t.Paid, t.Payable, t.Pending, t.Events))
                .ToList();
    }
}
