using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.ListQuotas;

/// <summary><c>GET /v1/usage/{user_id}/quotas</c>: each countable resource with units held (and their keys), plan limit, extra slots and remaining.</summary>
internal static class ListQuotas
{
    /// <summary>The query.</summary>
    internal sealed record Request(string UserId) : IRequest<Response>;

    /// <summary>The quotas.</summary>
    /// <param name="UserId">User.</param>
    /// <param name="Plan">Plan key.</param>
    /// <param name="Quotas">One per resource.</param>
    internal sealed record Response(string UserId, string Plan, IReadOnlyList<Quota> Quotas);

    /// <summary>One resource.</summary>
    /// <param name="Resource"><c>projects</c> or <c>deploys</c>.</param>
    /// <param name="Used">Units held.</param>
    /// <param name="Limit">Plan limit + extra slots; null = unlimited.</param>
    /// <param name="PlanLimit">Plan limit; null = unlimited.</param>
    /// <param name="ExtraSlots">Slots bought.</param>
    /// <param name="Remaining">Units left; null = unlimited.</param>
    /// <param name="Keys">Keys held, oldest first.</param>
    internal sealed record Quota(string Resource, long Used, long? Limit, long? PlanLimit, long ExtraSlots, long? Remaining, IReadOnlyList<string> Keys);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.UserId).MustBeUserId();
    }

    internal sealed class Handler(UsageDbContext db, PlanLimits planLimits) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var quotas = new List<Quota>();
            foreach (var resource in QuotaResources.All)
            {
                var state = await QuotaState.LoadAsync(db, planLimits, request.UserId, resource, cancellationToken);
                var keys = await db.QuotaAllocations.AsNoTracking().Where(a => a.UserId == request.UserId && a.Resource == resource)
                    .OrderBy(a => a.AcquiredAt).ThenBy(a => a.Key).Select(a => a.Key).ToListAsync(cancellationToken);
                quotas.Add(new Quota(resource, state.Used, state.Limit, state.PlanLimit, state.ExtraSlots, state.Remaining, keys));
            }

            var account = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.UserId == request.UserId, cancellationToken);
            return new Response(request.UserId, planLimits.For(account).Plan, quotas);
        }
    }
}
