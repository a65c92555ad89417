using StripeNet = Stripe;
using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Monetization.BuildingBlocks.Http;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;

namespace Monetization.Subscriptions.Features.ChangePlan;

/// <summary>
/// <c>POST /v1/subscriptions/{user_id}/change_plan</c> <c>{plan, cadence, proration_behavior}</c>: moves the subscription's item to
/// the new plan's price through Stripe (<c>create_prorations</c> by default, <c>none</c>, or <c>always_invoice</c>). 409 when it is
/// already that plan and cadence. Answered 202; the plan changes locally when the webhook confirms it.
/// </summary>
internal static class ChangePlan
{
    private static readonly string[] ProrationBehaviors = ["create_prorations", "none", "always_invoice"];

    /// <summary>The JSON body.</summary>
    internal sealed record Body(string? Plan, string? Cadence, string? ProrationBehavior);

    internal sealed record Request(string UserId, string Plan, string Cadence, string ProrationBehavior) : IRequest<SubscriptionChangeRequested>;

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator(PlanCatalog catalog)
        {
            RuleFor(r => r.UserId).Must(UserIds.IsValid).WithMessage("user_id " + UserIds.Rule + ".");
            RuleFor(r => r.Plan).NotEmpty().WithMessage("plan is required.")
                .Must(p => catalog.Find(p) is { IsPaid: true }).WithMessage(r => catalog.Find(r.Plan) is null
                    ? $"Unknown plan '{r.Plan}'."
                    : $"Plan '{r.Plan}' is free: cancel the subscription instead.");
            RuleFor(r => r.Cadence).Must(Cadences.IsKnown).WithMessage("cadence must be monthly or annual.")
                .Must((r, c) => catalog.Find(r.Plan) is not { IsPaid: true } p || p.Prices.ContainsKey(c)).WithMessage(r => $"Plan '{r.Plan}' is not sold {r.Cadence}.");
            RuleFor(r => r.ProrationBehavior).Must(p => ProrationBehaviors.Contains(p)).WithMessage("proration_behavior must be create_prorations, none or always_invoice.");
        }
    }

    internal sealed class Handler(SubscriptionsDbContext db, PlanCatalog catalog, StripePriceResolver prices, StripeNet.StripeClient stripe) : IRequestHandler<Request, SubscriptionChangeRequested>
    {
        public async Task<SubscriptionChangeRequested> Handle(Request request, CancellationToken cancellationToken)
        {
            var account = await LiveSubscription.RequireAsync(db, request.UserId, cancellationToken);
            if (account.Plan == request.Plan && account.Cadence == request.Cadence)
            {
                throw ProblemException.Conflict("same_plan", $"The subscription of {request.UserId} is already {request.Plan} ({request.Cadence}).");
            }

            if (account.StripeSubscriptionItemId is null)
            {
                throw ProblemException.Conflict("not_confirmed", $"The subscription of {request.UserId} is not confirmed by Stripe yet; retry after its webhook.");
            }

            var priceId = await prices.PriceIdAsync(request.Plan, request.Cadence, cancellationToken);
            var updated = await stripe.V1.Subscriptions.UpdateAsync(
                account.StripeSubscriptionId!,
                new StripeNet.SubscriptionUpdateOptions
                {
                    Items = [new StripeNet.SubscriptionItemOptions { Id = account.StripeSubscriptionItemId, Price = priceId }],
                    ProrationBehavior = request.ProrationBehavior,
                    Metadata = new Dictionary<string, string> { [MetadataKeys.UserId] = request.UserId, [MetadataKeys.Plan] = request.Plan, [MetadataKeys.Cadence] = request.Cadence },
                },
                cancellationToken: cancellationToken);
            var direction = catalog.Find(account.Plan) is { } from && catalog.Find(request.Plan) is { } to && to.Rank != from.Rank
                ? (to.Rank > from.Rank ? "upgrade" : "downgrade") : "cadence_change";
            return SubscriptionChangeRequested.From(request.UserId, "change_plan:" + direction, updated);
        }
    }
}
