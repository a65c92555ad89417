using StripeNet = Stripe;
using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Monetization.BuildingBlocks.Http;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;

namespace Monetization.Subscriptions.Features.CancelSubscription;

/// <summary>
/// <c>POST /v1/subscriptions/{user_id}/cancel</c> <c>{at_period_end}</c>: at the period end (Stripe <c>cancel_at_period_end=true</c>)
/// or now (DELETE). Answered 202; the local state changes when Stripe's webhook confirms it.
/// </summary>
internal static class CancelSubscription
{
    /// <summary>The JSON body.</summary>
    internal sealed record Body(bool? AtPeriodEnd);

    internal sealed record Request(string UserId, bool? AtPeriodEnd) : IRequest<SubscriptionChangeRequested>;

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.UserId).Must(UserIds.IsValid).WithMessage("user_id " + UserIds.Rule + ".");
            RuleFor(r => r.AtPeriodEnd).NotNull().WithMessage("at_period_end is required (true or false).");
        }
    }

    internal sealed class Handler(SubscriptionsDbContext db, StripeNet.StripeClient stripe) : IRequestHandler<Request, SubscriptionChangeRequested>
    {
        public async Task<SubscriptionChangeRequested> Handle(Request request, CancellationToken cancellationToken)
        {
            var account = await LiveSubscription.RequireAsync(db, request.UserId, cancellationToken);
            if (request.AtPeriodEnd == true)
            {
                if (account.CancelAtPeriodEnd)
                {
                    throw ProblemException.Conflict("already_scheduled", $"The subscription of {request.UserId} already ends at the period end.");
                }

                var updated = await stripe.V1.Subscriptions.UpdateAsync(account.StripeSubscriptionId!, new StripeNet.SubscriptionUpdateOptions { CancelAtPeriodEnd = true }, cancellationToken: cancellationToken);
                return SubscriptionChangeRequested.From(request.UserId, "cancel_at_period_end", updated);
            }

            var canceled = await stripe.V1.Subscriptions.CancelAsync(account.StripeSubscriptionId!, cancellationToken: cancellationToken);
            return SubscriptionChangeRequested.From(request.UserId, "cancel_now", canceled);
        }
    }
}
