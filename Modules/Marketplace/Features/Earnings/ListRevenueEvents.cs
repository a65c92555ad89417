using Mapster;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Http;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Earnings;

/// <summary>
/// <c>GET /v1/marketplace/developers/{id}/revenue_events?period=&amp;limit=&amp;starting_after=</c> (issue 20): the revenue
/// events behind a developer's earnings, newest first (earned time, then id), paged by the one convention
/// (<see cref="Paging"/>, cursor = a <c>rev_…</c> id). <c>period</c> (<c>YYYY-MM</c>) keeps the events of that period (the
/// same period the earnings route sums); without it, every period.
/// </summary>
internal static class ListRevenueEvents
{
    internal sealed record Request(string DeveloperId, string? Period, string? Limit, string? StartingAfter) : IRequest<Page<RevenueEventView>>;

    /// <summary>A revenue event as the API shows it. developer_share + platform_share = gross, minor units of currency.</summary>
    /// <param name="Id">Id (<c>rev_…</c>).</param>
    /// <param name="Kind"><c>free_install</c>, <c>purchase</c>, <c>subscription</c>, <c>usage</c> or <c>refund</c>.</param>
    /// <param name="SourceId">What produced it (for usage, <c>usage:{usage invoice line}</c>).</param>
    /// <param name="PluginId">Plugin.</param>
    /// <param name="InstallId">Install, when known.</param>
    /// <param name="UserId">Paying user, when known.</param>
    /// <param name="Gross">Collected (negative for refunds), minor units.</param>
    /// <param name="DeveloperShare">The developer's part, minor units.</param>
    /// <param name="PlatformShare">The platform's part, minor units.</param>
    /// <param name="Currency">ISO 4217, lowercase.</param>
    /// <param name="RevenueShareBps">The developer's share used, basis points.</param>
    /// <param name="Period">Period <c>YYYY-MM</c>.</param>
    /// <param name="EarnedAt">When collected (or refunded), UTC.</param>
    /// <param name="AvailableAt">When the developer's share becomes payable, UTC.</param>
    /// <param name="RefundOf">For a refund, the event refunded.</param>
    /// <param name="RefundedGross">Gross refunded so far against this event.</param>
    /// <param name="PayoutId">The payout that includes it, once claimed.</param>
    /// <param name="PaidAt">When settled, UTC.</param>
    /// <param name="StripeInvoiceId">Stripe invoice, when it came through one.</param>
    internal sealed record RevenueEventView(
        string Id, string Kind, string SourceId, string PluginId, string? InstallId, string? UserId, long Gross, long DeveloperShare, long PlatformShare,
        string Currency, int RevenueShareBps, string Period, DateTimeOffset EarnedAt, DateTimeOffset AvailableAt, string? RefundOf, long RefundedGross,
        string? PayoutId, DateTimeOffset? PaidAt, string? StripeInvoiceId);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.DeveloperId).Must(UserIds.IsValid).WithMessage("id (a developer id) " + UserIds.Rule + ".");
            RuleFor(r => r.Period).Must(p => BillingPeriod.TryParse(p, out _)).When(r => r.Period is not null).WithMessage("period is YYYY-MM (e.g. 2026-11).");
            RuleFor(r => r.Limit).MustBeLimit();
            RuleFor(r => r.StartingAfter).MustBeCursor();
        }
    }

    internal sealed class Handler(MarketplaceDbContext db) : IRequestHandler<Request, Page<RevenueEventView>>
    {
        public async Task<Page<RevenueEventView>> Handle(Request request, CancellationToken cancellationToken)
        {
            if (!await db.Developers.AnyAsync(d => d.Id == request.DeveloperId, cancellationToken))
            {
                throw ProblemException.NotFound("Developer", request.DeveloperId);
            }

            var query = db.RevenueEvents.AsNoTracking().Where(e => e.DeveloperId == request.DeveloperId);
            if (request.Period is not null)
            {
                var period = BillingPeriod.Parse(request.Period).ToString();
                query = query.Where(e => e.Period == period);
            }

            if (request.StartingAfter is { } after)
            {
                var cursor = await db.RevenueEvents.AsNoTracking().Where(e => e.Id == after && e.DeveloperId == request.DeveloperId)
                    .Select(e => new { e.Id, e.EarnedAt }).SingleOrDefaultAsync(cancellationToken)
                    ?? throw Paging.UnknownCursor("Revenue event", after);
                query = query.Where(e => e.EarnedAt < cursor.EarnedAt || (e.EarnedAt == cursor.EarnedAt && string.Compare(e.Id, cursor.Id) < 0));
            }

            var page = await query.OrderByDescending(e => e.EarnedAt).ThenByDescending(e => e.Id).ToPageAsync(Paging.LimitOf(request.Limit), cancellationToken);
            return page.Select(e => e.Adapt<RevenueEventView>(MarketplaceMapping.Config));
        }
    }
}
