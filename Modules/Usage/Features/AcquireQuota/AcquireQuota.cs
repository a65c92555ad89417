using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Http;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.AcquireQuota;

/// <summary>
/// <c>POST /v1/usage/{user_id}/quotas/{resource}/acquire</c> <c>{key}</c>: holds one unit of a countable resource
/// (a project, a deploy) under the product's key. Idempotent by key. When the quota (plan limit + bought slots) is full:
/// 409 <c>quota_exceeded</c> with the limit and an upgrade hint. Count and insert run in one IMMEDIATE transaction, so
/// concurrent acquires never exceed the limit (seed 003: project/deploy limits).
/// </summary>
internal static class AcquireQuota
{
    /// <summary>Body.</summary>
    /// <param name="Key">The unit's key (a project id), 1..200 characters.</param>
    internal sealed record Body(string? Key)
    {
        // Hand-written: the route's values join the body here, which a Mapster mapping of Body alone cannot see.
        public Request ToRequest(string userId, string resource) => new(userId, resource, Key);
    }

    /// <summary>The acquire.</summary>
    internal sealed record Request(string UserId, string Resource, string? Key) : IRequest<Response>;

    /// <summary>The quota after the call.</summary>
    /// <param name="Resource">Resource.</param>
    /// <param name="Key">Key held.</param>
    /// <param name="AlreadyHeld">True when the key was already held (nothing changed).</param>
    /// <param name="Used">Units held.</param>
    /// <param name="Limit">Plan limit + extra slots; null = unlimited.</param>
    /// <param name="Remaining">Units left; null = unlimited.</param>
    internal sealed record Response(string Resource, string Key, bool AlreadyHeld, long Used, long? Limit, long? Remaining);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.UserId).MustBeUserId();
            RuleFor(r => r.Resource).Must(QuotaResources.IsKnown).WithMessage("resource must be projects or deploys.");
            RuleFor(r => r.Key).NotEmpty().MaximumLength(TextLimits.MaxId);
        }
    }

    internal sealed class Handler(UsageDbContext db, TimeProvider clock, PlanLimits planLimits, IOptions<UsageOptions> options)
        : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
            var held = await db.QuotaAllocations.AnyAsync(a => a.UserId == request.UserId && a.Resource == request.Resource && a.Key == request.Key, cancellationToken);
            var state = await QuotaState.LoadAsync(db, planLimits, request.UserId, request.Resource, cancellationToken);
            if (held)
            {
                return new Response(request.Resource, request.Key!, true, state.Used, state.Limit, state.Remaining);
            }

            if (state.Limit is { } limit && state.Used >= limit)
            {
                throw ProblemException.Conflict(
                    "quota_exceeded",
                    $"The {request.Resource} quota is full ({state.Used} of {limit}). Upgrade the plan, release a unit, or buy an extra slot.",
                    new Dictionary<string, object?>
                    {
                        ["resource"] = request.Resource,
                        ["used"] = state.Used,
                        ["limit"] = limit,
                        ["plan_limit"] = state.PlanLimit,
                        ["extra_slots"] = state.ExtraSlots,
                        ["upgrade_hint"] = $"Upgrade the plan for more {request.Resource}, or buy extra slots at {options.Value.SlotPrice} {options.Value.Currency} each.",
                        ["slot_checkout"] = $"/v1/usage/{Uri.EscapeDataString(request.UserId)}/quotas/{request.Resource}/slots/checkout",
                    });
            }

            db.QuotaAllocations.Add(new QuotaAllocation { UserId = request.UserId, Resource = request.Resource, Key = request.Key!, AcquiredAt = clock.GetUtcNow() });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            var used = state.Used + 1;
            return new Response(request.Resource, request.Key!, false, used, state.Limit, state.Limit is { } l ? Math.Max(0, l - used) : null);
        }
    }
}
