using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Referrals.Data;
using Monetization.Referrals.Domain;

namespace Monetization.Referrals.Features.ListReferrals;

/// <summary>
/// <c>GET /v1/referrals/{user_id}/referrals</c>: the referrals made with this user's code, oldest first, each with its
/// <c>reward_status</c> and <c>reward_reason</c> (why a conversion was not, or only partly, rewarded). Cursor-paginated:
/// <c>limit</c> (1–100, default 20) and <c>starting_after</c> (a referral id).
/// </summary>
internal static class ListReferrals
{
    internal sealed record Request(string UserId, string? Limit, string? StartingAfter) : IRequest<Response>;

    /// <summary>A page of referrals.</summary>
    /// <param name="Data">The referrals of this page, oldest first.</param>
    /// <param name="HasMore">Whether referrals follow the last one of this page.</param>
    internal sealed record Response(IReadOnlyList<ReferralView> Data, bool HasMore);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.UserId).MustBeUserId();
            RuleFor(r => r.Limit).MustBeLimit();
            RuleFor(r => r.StartingAfter).MustBeCursor();
        }
    }

    internal sealed class Handler(ReferralsDbContext db) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var query = db.Referrals.AsNoTracking().Where(r => r.ReferrerUserId == request.UserId);
            if (request.StartingAfter is { } after)
            {
                var anchor = await query.SingleOrDefaultAsync(r => r.Id == after, cancellationToken)
                    ?? throw Paging.UnknownCursor("Referral", after);
                query = query.Where(r => r.CapturedAt > anchor.CapturedAt || (r.CapturedAt == anchor.CapturedAt && string.Compare(r.Id, anchor.Id) > 0));
            }

            var limit = Paging.LimitOf(request.Limit);
            var page = (await query.OrderBy(r => r.CapturedAt).ThenBy(r => r.Id).ToPageAsync(limit, cancellationToken)).Select(ReferralView.Of);
            return new Response(page.Data, page.HasMore);
        }
    }
}
