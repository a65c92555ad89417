using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.GetUsageMetrics;

/// <summary>
/// <c>GET /v1/metrics/usage?month=YYYY-MM</c> (read; default the current UTC month): the usage invoiced in a month across
/// every user, i.e. the usage invoices created in that month (the monthly job invoices the period that just closed, so these
/// are mostly the previous period's), per currency, with credits applied, amount billed through Stripe and what is paid
/// (issue 19's dashboard overview reads this same query). A malformed month is a 422.
/// </summary>
internal static class GetUsageMetrics
{
    internal sealed record Request(string? Month) : IRequest<Response>;

    /// <summary>Usage invoiced in one currency, minor units. <c>subtotal = credits_applied + amount_due</c>.</summary>
    /// <param name="Currency">ISO 4217, lowercase.</param>
    /// <param name="Invoices">Invoices created in the month.</param>
    /// <param name="Subtotal">Usage cost invoiced.</param>
    /// <param name="CreditsApplied">Paid with prepaid credits.</param>
    /// <param name="AmountDue">Billed through Stripe.</param>
    /// <param name="AmountPaid">Amount due of the invoices that are paid.</param>
    /// <param name="Unpaid">Invoices not paid yet (pending, awaiting a customer, payment failed).</param>
    internal sealed record CurrencyTotals(string Currency, int Invoices, long Subtotal, long CreditsApplied, long AmountDue, long AmountPaid, int Unpaid);

    /// <summary>The metrics.</summary>
    /// <param name="Month"><c>YYYY-MM</c>.</param>
    /// <param name="Totals">Per currency.</param>
    internal sealed record Response(string Month, IReadOnlyList<CurrencyTotals> Totals);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator() =>
            RuleFor(r => r.Month).Must(m => BillingPeriod.TryParse(m, out _)).When(r => r.Month is not null).WithMessage("month is YYYY-MM (e.g. 2026-11).");
    }

    internal sealed class Handler(UsageDbContext db, TimeProvider clock) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var month = request.Month is null ? BillingPeriod.Containing(clock.GetUtcNow()) : BillingPeriod.Parse(request.Month);
            var (start, end) = (month.Start, month.End);
            var rows = await db.Invoices.AsNoTracking().Where(i => i.CreatedAt >= start && i.CreatedAt < end)
                .GroupBy(i => new { i.Currency, Paid = i.Status == UsageInvoiceStatus.Paid })
                .Select(g => new { g.Key.Currency, g.Key.Paid, Count = g.Count(), Subtotal = g.Sum(i => i.Subtotal), Credits = g.Sum(i => i.CreditsApplied), Due = g.Sum(i => i.AmountDue) })
                .ToListAsync(cancellationToken);
            var totals = rows.GroupBy(r => r.Currency, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new CurrencyTotals(
                    g.Key,
                    g.Sum(r => r.Count),
                    g.Sum(r => r.Subtotal),
                    g.Sum(r => r.Credits),
                    g.Sum(r => r.Due),
                    g.Where(r => r.Paid).Sum(r => r.Due),
                    g.Where(r => !r.Paid).Sum(r => r.Count)))
                .ToList();
            return new Response(month.ToString(), totals);
        }
    }
}
