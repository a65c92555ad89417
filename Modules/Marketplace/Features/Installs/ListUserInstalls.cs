using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Installs;

/// <summary>
/// GET /v1/marketplace/users/{user_id}/installs: the user's live installs (pending, pending_payment, active), newest
/// first; <c>?status=all</c> includes uninstalled ones, or filter by one status.
/// </summary>
internal static class ListUserInstalls
{
    internal sealed record Request(string UserId, string? Status, string? Limit = null, string? StartingAfter = null) : IRequest<Response>;

    /// <summary>The installs.</summary>
    /// <param name="Object">Always <c>list</c>.</param>
    /// <param name="Data">Installs, newest first.</param>
    /// <param name="HasMore">Whether another page follows (paged by the one convention, <see cref="Paging"/>).</param>
    internal sealed record Response(string Object, IReadOnlyList<InstallResponse> Data, bool HasMore);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.UserId).MustBeUserId();
            RuleFor(r => r.Status).Must(s => s is "all" or InstallStatuses.Active or InstallStatuses.Pending or InstallStatuses.PendingPayment or InstallStatuses.Uninstalled)
                .When(r => r.Status is not null).WithMessage("status is one of active, pending, pending_payment, uninstalled, all.");
            RuleFor(r => r.Limit).MustBeLimit();
            RuleFor(r => r.StartingAfter).MustBeCursor();
        }
    }

    internal sealed class Handler(MarketplaceDbContext db) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var query = db.Installs.AsNoTracking().Where(i => i.UserId == request.UserId);
            query = request.Status switch
            {
                null => query.Where(i => i.UninstalledAt == null),
                "all" => query,
                _ => query.Where(i => i.Status == request.Status),
            };
            if (request.StartingAfter is { } after)
            {
                var cursor = await db.Installs.AsNoTracking().Where(i => i.Id == after && i.UserId == request.UserId)
                    .Select(i => new { i.Id, i.CreatedAt }).SingleOrDefaultAsync(cancellationToken)
                    ?? throw Paging.UnknownCursor("Install", after);
                query = query.Where(i => i.CreatedAt < cursor.CreatedAt || (i.CreatedAt == cursor.CreatedAt && string.Compare(i.Id, cursor.Id) > 0));
            }

            var page = (await query.OrderByDescending(i => i.CreatedAt).ThenBy(i => i.Id).ToPageAsync(Paging.LimitOf(request.Limit), cancellationToken)).Select(InstallResponse.From);
            return new Response("list", page.Data, page.HasMore);
        }
    }
}
