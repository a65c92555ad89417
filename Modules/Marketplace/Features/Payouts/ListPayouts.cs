using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Payouts;

/// <summary>
/// GET /v1/marketplace/payouts?developer_id=&amp;status=&amp;limit=&amp;starting_after=: payouts, newest first, cursor-paginated.
/// </summary>
internal static class ListPayouts
{
    internal sealed record Request(string? DeveloperId, string? Status, string? Limit, string? StartingAfter) : IRequest<Response>;

    /// <summary>A page of payouts.</summary>
    /// <param name="Object">Always <c>list</c>.</param>
    /// <param name="Data">Payouts, newest first.</param>
    /// <param name="HasMore">Whether another page follows.</param>
    internal sealed record Response(string Object, IReadOnlyList<PayoutResponse> Data, bool HasMore);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.DeveloperId).Must(UserIds.IsValid).When(r => r.DeveloperId is not null).WithMessage("developer_id " + UserIds.Rule + ".");
            RuleFor(r => r.Status).Must(s => s is PayoutStatuses.Pending or PayoutStatuses.Paid).When(r => r.Status is not null)
                .WithMessage("status is 'pending' or 'paid'.");
            RuleFor(r => r.Limit).MustBeLimit();
            RuleFor(r => r.StartingAfter).MustBeCursor();
        }
    }

    internal sealed class Handler(MarketplaceDbContext db) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var limit = Paging.LimitOf(request.Limit);
            var query = db.Payouts.AsNoTracking();
            if (request.DeveloperId is not null)
            {
                query = query.Where(p => p.DeveloperId == request.DeveloperId);
            }

            if (request.Status is not null)
            {
                query = query.Where(p => p.Status == request.Status);
            }

            if (request.StartingAfter is not null)
            {
                var cursor = await db.Payouts.AsNoTracking().Where(p => p.Id == request.StartingAfter)
                    .Select(p => new { p.Id, p.CreatedAt }).SingleOrDefaultAsync(cancellationToken)
                    ?? throw Paging.UnknownCursor("Payout", request.StartingAfter);
                query = query.Where(p => p.CreatedAt < cursor.CreatedAt || (p.CreatedAt == cursor.CreatedAt && string.Compare(p.Id, cursor.Id) > 0));
            }

            var page = (await query.OrderByDescending(p => p.CreatedAt).ThenBy(p => p.Id).ToPageAsync(limit, cancellationToken)).Select(PayoutResponse.From);
            return new Response("list", page.Data, page.HasMore);
        }
    }
}
