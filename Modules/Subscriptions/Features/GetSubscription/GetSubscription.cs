using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;

namespace Monetization.Subscriptions.Features.GetSubscription;

/// <summary>
/// <c>GET /v1/subscriptions/{user_id}</c>: the user's subscription as Stripe last confirmed it and their effective access.
/// A user never seen is <c>free</c>/<c>none</c> (not 404).
/// </summary>
internal static class GetSubscription
{
    internal sealed record Request(string UserId) : IRequest<Response>;

    /// <summary>Effective access: <c>tier</c> paid|free, <c>reason</c> subscription|trial|grace|credit|none, <c>until</c> (UTC).</summary>
    internal sealed record AccessView(string Tier, string Reason, DateTimeOffset? Until);

    /// <summary>
    /// The subscription view. <c>plan</c> is the plan whose entitlements apply now (free when access is free);
    /// <c>subscribed_plan</c> the subscription's own plan; <c>status</c> Stripe's status or <c>none</c>.
    /// </summary>
    internal sealed record Response(
        string UserId,
        string Plan,
        string? SubscribedPlan,
        string Status,
        string? Cadence,
        DateTimeOffset? CurrentPeriodEnd,
        DateTimeOffset? TrialEnd,
        DateTimeOffset? GracePeriodEnd,
        bool CancelAtPeriodEnd,
        DateTimeOffset? CreditUntil,
        string? StripeCustomerId,
        string? StripeSubscriptionId,
        PlanEntitlements Entitlements,
        AccessView Access,
        long Version);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.UserId).Must(UserIds.IsValid).WithMessage("user_id " + UserIds.Rule + ".");
    }

    internal sealed class Handler(SubscriptionsDbContext db, PlanCatalog catalog, TimeProvider clock) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var account = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.UserId == request.UserId, cancellationToken)
                ?? new BillingAccount { UserId = request.UserId };
            var access = AccessCalculator.Compute(account, catalog, clock.GetUtcNow());
            return new Response(
                account.UserId,
                access.Plan.Key,
                account.Plan,
                account.Status,
                account.Cadence,
                account.CurrentPeriodEnd,
                account.TrialEnd,
                account.GracePeriodEnd,
                account.CancelAtPeriodEnd,
                account.CreditUntil,
                account.StripeCustomerId,
                account.StripeSubscriptionId,
                access.Plan.Entitlements,
                new AccessView(access.Tier, access.Reason, access.Until),
                account.Version);
        }
    }
}
