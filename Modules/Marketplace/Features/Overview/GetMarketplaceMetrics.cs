using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Overview;

/// <summary>
/// <c>GET /v1/metrics/marketplace?period=YYYY-MM</c> (read; default the current UTC month): the whole marketplace in a
/// period: gross, refunds, developer and platform shares and what is paid, payable and still in the hold, per currency
/// (never summed across currencies); every developer with their Stripe Connect onboarding state, plugin count, period
/// amounts and their unsettled balance; and the debts carried into the next payouts (issue 19's dashboard reads this same
/// query). Reads only the earnings aggregate (<see cref="EarningsBucket"/>), so it costs the same for any number of revenue
/// events. A developer's balance is the unsettled developer share past the hold over all periods; when it is below zero
/// (refunds of paid-out revenue that no reversal recovered) it is a debt netted against the next payout (RunPayouts).
/// </summary>
internal static class GetMarketplaceMetrics
{
    internal sealed record Request(string? Period) : IRequest<Response>;

    /// <summary>Amounts of one currency, minor units (as in the earnings route: developer_share + platform_share = gross − refunded).</summary>
    /// <param name="Currency">ISO 4217, lowercase.</param>
    /// <param name="Gross">Collected.</param>
    /// <param name="Refunded">Refunded (positive).</param>
    /// <param name="DeveloperShare">Developers' share, net of refunds.</param>
    /// <param name="PlatformShare">Platform's share, net of refunds.</param>
    /// <param name="Paid">Developer share settled.</param>
    /// <param name="Payable">Developer share past the hold, not paid yet.</param>
    /// <param name="Pending">Developer share still in the hold.</param>
    /// <param name="Events">Revenue events.</param>
    internal sealed record CurrencyAmounts(string Currency, long Gross, long Refunded, long DeveloperShare, long PlatformShare, long Paid, long Payable, long Pending, long Events);

    /// <summary>An amount of one currency, minor units.</summary>
    /// <param name="Currency">ISO 4217, lowercase.</param>
    /// <param name="Amount">Minor units (may be negative).</param>
    internal sealed record CurrencyAmount(string Currency, long Amount);

    /// <summary>A developer.</summary>
    /// <param name="Id">Developer id.</param>
    /// <param name="Name">Display name.</param>
    /// <param name="Email">Contact e-mail.</param>
    /// <param name="RevenueShareBps">Share, basis points.</param>
    /// <param name="StripeAccountId">Connected account, once onboarding started.</param>
    /// <param name="Onboarding"><c>not_started</c> (no account), <c>in_progress</c> (details not submitted),
    /// <c>restricted</c> (submitted, payouts not enabled by Stripe) or <c>complete</c> (payouts enabled).</param>
    /// <param name="Plugins">Plugins published (active and archived).</param>
    /// <param name="Period">The period's amounts.</param>
    /// <param name="Balance">Unsettled developer share past the hold, all periods, per currency; negative is a carried debt.</param>
    internal sealed record DeveloperRow(string Id, string Name, string Email, int RevenueShareBps, string? StripeAccountId, string Onboarding, int Plugins, IReadOnlyList<CurrencyAmounts> Period, IReadOnlyList<CurrencyAmount> Balance);

    /// <summary>A debt a developer carries into their next payout.</summary>
    /// <param name="DeveloperId">Developer.</param>
    /// <param name="Currency">ISO 4217, lowercase.</param>
    /// <param name="Amount">Owed, minor units (positive).</param>
    internal sealed record CarriedDebt(string DeveloperId, string Currency, long Amount);

    /// <summary>The metrics.</summary>
    /// <param name="Period"><c>YYYY-MM</c>.</param>
    /// <param name="Totals">All developers, per currency.</param>
    /// <param name="Developers">By name.</param>
    /// <param name="CarriedDebts">Developers whose balance is below zero.</param>
    internal sealed record Response(string Period, IReadOnlyList<CurrencyAmounts> Totals, IReadOnlyList<DeveloperRow> Developers, IReadOnlyList<CarriedDebt> CarriedDebts);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator() =>
            RuleFor(r => r.Period).Must(p => BillingPeriod.TryParse(p, out _)).When(r => r.Period is not null).WithMessage("period is YYYY-MM (e.g. 2026-11).");
    }

    internal sealed class Handler(MarketplaceDbContext db, TimeProvider clock) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var period = (request.Period is null ? BillingPeriod.Containing(now) : BillingPeriod.Parse(request.Period)).ToString();
            var developers = await db.Developers.AsNoTracking().OrderBy(d => d.Name).ThenBy(d => d.Id).ToListAsync(cancellationToken);
            var plugins = await db.Plugins.AsNoTracking().GroupBy(p => p.DeveloperId).Select(g => new { DeveloperId = g.Key, Count = g.Count() })
                .ToDictionaryAsync(x => x.DeveloperId, x => x.Count, cancellationToken);
            var inPeriod = await db.EarningsBuckets.AsNoTracking().Where(b => b.Period == period).ToListAsync(cancellationToken);
            var balances = await db.EarningsBuckets.AsNoTracking().Where(b => b.AvailableOn <= now && b.DeveloperShare != b.DeveloperPaid)
                .GroupBy(b => new { b.DeveloperId, b.Currency })
                .Select(g => new { g.Key.DeveloperId, g.Key.Currency, Unsettled = g.Sum(b => b.DeveloperShare - b.DeveloperPaid) })
                .ToListAsync(cancellationToken);

            var rows = developers.Select(d => new DeveloperRow(
                    d.Id,
                    d.Name,
                    d.Email,
                    d.RevenueShareBps,
                    d.StripeAccountId,
                    d.StripeAccountId is null ? "not_started" : !d.DetailsSubmitted ? "in_progress" : !d.PayoutsEnabled ? "restricted" : "complete",
                    plugins.GetValueOrDefault(d.Id),
                    Sum(inPeriod.Where(b => b.DeveloperId == d.Id), now),
                    balances.Where(b => b.DeveloperId == d.Id && b.Unsettled != 0).OrderBy(b => b.Currency, StringComparer.Ordinal)
                        .Select(b => new CurrencyAmount(b.Currency, b.Unsettled)).ToList()))
                .ToList();
            var debts = balances.Where(b => b.Unsettled < 0).OrderBy(b => b.DeveloperId, StringComparer.Ordinal).ThenBy(b => b.Currency, StringComparer.Ordinal)
                .Select(b => new CarriedDebt(b.DeveloperId, b.Currency, -b.Unsettled)).ToList();
            return new Response(period, Sum(inPeriod, now), rows, debts);
        }

        private static List<CurrencyAmounts> Sum(IEnumerable<EarningsBucket> buckets, DateTimeOffset now) =>
            EarningsTotals.PerCurrency(buckets, now)
                .Select(t => new CurrencyAmounts(t.Currency, t.Gross, t.Refunded, t.DeveloperShare, t.PlatformShare, t.Paid, t.Payable, t.Pending, t.Events))
                .ToList();
    }
}
