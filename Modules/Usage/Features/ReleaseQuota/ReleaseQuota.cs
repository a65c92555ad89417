using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.ReleaseQuota;

/// <summary><c>POST /v1/usage/{user_id}/quotas/{resource}/release</c> <c>{key}</c>: frees the unit held under the key; releasing an unknown key changes nothing (idempotent).</summary>
internal static class ReleaseQuota
{
    /// <summary>Body.</summary>
    /// <param name="Key">The unit's key.</param>
    internal sealed record Body(string? Key)
    {
        // Hand-written: the route's values join the body here, which a Mapster mapping of Body alone cannot see.
        public Request ToRequest(string userId, string resource) => new(userId, resource, Key);
    }

    /// <summary>The release.</summary>
    internal sealed record Request(string UserId, string Resource, string? Key) : IRequest<Response>;

    /// <summary>The quota after the call.</summary>
    /// <param name="Resource">Resource.</param>
    /// <param name="Key">Key released.</param>
    /// <param name="Released">True when a unit was held and is now free; false when the key was not held.</param>
    /// <param name="Used">Units held.</param>
    /// <param name="Limit">Limit; null = unlimited.</param>
    /// <param name="Remaining">Units left; null = unlimited.</param>
    internal sealed record Response(string Resource, string Key, bool Released, long Used, long? Limit, long? Remaining);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.UserId).MustBeUserId();
            RuleFor(r => r.Resource).Must(QuotaResources.IsKnown).WithMessage("resource must be projects or deploys.");
            RuleFor(r => r.Key).NotEmpty().MaximumLength(TextLimits.MaxId);
        }
    }

    internal sealed class Handler(UsageDbContext db, PlanLimits planLimits) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var released = await db.QuotaAllocations
                .Where(a => a.UserId == request.UserId && a.Resource == request.Resource && a.Key == request.Key)
                .ExecuteDeleteAsync(cancellationToken);
            var state = await QuotaState.LoadAsync(db, planLimits, request.UserId, request.Resource, cancellationToken);
            return new Response(request.Resource, request.Key!, released > 0, state.Used, state.Limit, state.Remaining);
        }
    }
}
