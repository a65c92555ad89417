using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Installs;

/// <summary>
/// GET /v1/marketplace/users/{user_id}/installs: the user's live installs (pending, pending_payment, active), newest
/// first; <c>?status=all</c> includes uninstalled ones, or filter by one status.
/// </summary>
public static class ListUserInstalls
{
    internal sealed record Request(string UserId, string? Status) : IRequest<Response>;

    /// <summary>The installs.</summary>
    /// <param name="Object">Always <c>list</c>.</param>
    /// <param name="Data">Installs, newest first.</param>
    internal sealed record Response(string Object, IReadOnlyList<InstallResponse> Data);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.UserId).MustBeUserId();
            RuleFor(r => r.Status).Must(s => s is "all" or InstallStatuses.Active or InstallStatuses.Pending or InstallStatuses.PendingPayment or InstallStatuses.Uninstalled)
                .When(r => r.Status is not null).WithMessage("status is one of active, pending, pending_payment, uninstalled, all.");
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
            var installs = await query.OrderByDescending(i => i.CreatedAt).ThenBy(i => i.Id).Take(1000).ToListAsync(cancellationToken);
            return new Response("list", installs.Select(InstallResponse.From).ToList());
        }
    }
}
