using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Http;
using Monetization.Usage.Data;

namespace Monetization.Usage.Features.ListCreditGrants;

/// <summary>
/// <c>GET /v1/usage/{user_id}/credits/grants?limit=&amp;starting_after=</c>: every credit grant of a user (purchases and
/// admin grants, spent and expired ones included) with what is left of each, newest first, paged by the one convention
/// (ADR 0071, <see cref="Paging"/>; <c>starting_after</c> = a <c>grant_id</c>). The wallet
/// (<c>GET /v1/usage/{user_id}/credits</c>) embeds only the newest page.
/// </summary>
internal static class ListCreditGrants
{
    /// <summary>The query.</summary>
    /// <param name="UserId">User.</param>
    /// <param name="Limit">1–100, default 20.</param>
    /// <param name="StartingAfter">The <c>grant_id</c> of the last grant of the previous page.</param>
    internal sealed record Request(string UserId, string? Limit = null, string? StartingAfter = null) : IRequest<Response>;

    /// <summary>A page of grants.</summary>
    /// <param name="UserId">User.</param>
    /// <param name="Data">Grants, newest first (ties by id).</param>
    /// <param name="HasMore">Whether older grants follow.</param>
    internal sealed record Response(string UserId, IReadOnlyList<GetCredits.GetCredits.Grant> Data, bool HasMore);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.UserId).MustBeUserId();
            RuleFor(r => r.Limit).MustBeLimit();
            RuleFor(r => r.StartingAfter).MustBeCursor();
        }
    }

    internal sealed class Handler(UsageDbContext db) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var query = db.CreditGrants.AsNoTracking().Where(g => g.UserId == request.UserId);
            if (request.StartingAfter is { } after)
            {
                var cursor = await query.Where(g => g.Id == after).Select(g => new { g.CreatedAt, g.Id }).SingleOrDefaultAsync(cancellationToken)
                    ?? throw Paging.UnknownCursor("Credit grant", after);
                query = query.Where(g => g.CreatedAt < cursor.CreatedAt || (g.CreatedAt == cursor.CreatedAt && string.Compare(g.Id, cursor.Id) > 0));
            }

            var page = await query.OrderByDescending(g => g.CreatedAt).ThenBy(g => g.Id).ToPageAsync(Paging.LimitOf(request.Limit), cancellationToken);
            return new Response(request.UserId, page.Data.Select(GetCredits.GetCredits.Grant.Of).ToList(), page.HasMore);
        }
    }
}
