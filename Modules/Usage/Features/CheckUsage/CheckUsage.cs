using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.CheckUsage;

/// <summary>
/// <c>POST /v1/usage/{user_id}/check</c> <c>{meter, quantity}</c>: the synchronous gate a product calls before doing
/// work. Allowed while used + quantity stays within the plan's monthly limit (for a max meter: quantity ≤ limit);
/// denied at the hard limit. Reads one rollup row and the user's plan; changes nothing.
/// </summary>
internal static class CheckUsage
{
    /// <summary>Body.</summary>
    /// <param name="Meter">Meter key.</param>
    /// <param name="Quantity">Units about to be used (default 1), whole, ≥ 0.</param>
    internal sealed record Body(string? Meter, long? Quantity)
    {
        // Hand-written: the route's values join the body here, which a Mapster mapping of Body alone cannot see.
        public Request ToRequest(string userId) => new(userId, Meter, Quantity ?? 1);
    }

    /// <summary>The check.</summary>
    internal sealed record Request(string UserId, string? Meter, long Quantity) : IRequest<Response>;

    /// <summary>The answer.</summary>
    /// <param name="Allowed">True when the work may proceed.</param>
    /// <param name="Remaining">Units left this month after current usage (before this quantity); null = unlimited.</param>
    /// <param name="Limit">The plan's monthly limit; null = unlimited.</param>
    /// <param name="Used">Usage so far this month.</param>
    /// <param name="Meter">Meter key.</param>
    /// <param name="Period">Current month.</param>
    /// <param name="Plan">Plan key.</param>
    internal sealed record Response(bool Allowed, long? Remaining, long? Limit, long Used, string Meter, string Period, string Plan);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator(MeterCatalog meters)
        {
            RuleFor(r => r.UserId).MustBeUserId();
            RuleFor(r => r.Meter).NotEmpty().Must(m => meters.TryGet(m, out _))
                .WithMessage(r => $"Unknown meter '{r.Meter}'; configured meters: {string.Join(", ", meters.All.Select(m => m.Key))}.");
            RuleFor(r => r.Quantity).GreaterThanOrEqualTo(0);
        }
    }

    internal sealed class Handler(UsageDbContext db, TimeProvider clock, MeterCatalog meters, PlanLimits planLimits)
        : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            meters.TryGet(request.Meter, out var meter);
            var period = BillingPeriod.Containing(clock.GetUtcNow()).ToString();
            var used = await db.Rollups.AsNoTracking()
                .Where(r => r.UserId == request.UserId && r.Period == period && r.Meter == meter!.Key && r.Dimensions == "")
                .Select(r => r.Used)
                .FirstOrDefaultAsync(cancellationToken);
            var limits = planLimits.For(await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.UserId == request.UserId, cancellationToken));
            var limit = limits.Of(meter!.Entitlement);
            var allowed = limit switch
            {
                null => true,
                { } l when meter.Aggregation == MeterAggregation.Max => request.Quantity <= l,
                { } l => used < l && used + request.Quantity <= l,
            };
            return new Response(allowed, limit is { } x ? Math.Max(0, x - used) : null, limit, used, meter.Key, period, limits.Plan);
        }
    }
}
