using StripeNet = Stripe;
using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Monetization.BuildingBlocks.Http;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;

namespace Monetization.Subscriptions.Features.ResumeSubscription;

/// <summary><c>POST /v1/subscriptions/{user_id}/resume</c>: undoes a scheduled cancellation (<c>cancel_at_period_end=false</c>); 409 when none is scheduled. 202.</summary>
internal static class ResumeSubscription
{
    internal sealed record Request(string UserId) : IRequest<SubscriptionChangeRequested>;

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.UserId).Must(UserIds.IsValid).WithMessage("user_id " + UserIds.Rule + ".");
    }

    internal sealed class Handler(SubscriptionsDbContext db, StripeNet.StripeClient stripe) : IRequestHandler<Request, SubscriptionChangeRequested>
    {
        public async Task<SubscriptionChangeRequested> Handle(Request request, CancellationToken cancellationToken)
        {
            var account = await LiveSubscription.RequireAsync(db, request.UserId, cancellationToken);
            if (!account.CancelAtPeriodEnd)
            {
                throw ProblemException.Conflict("not_scheduled", $"The subscription of {request.UserId} is not scheduled to end; nothing to resume.");
            }

            var updated = await stripe.V1.Subscriptions.UpdateAsync(account.StripeSubscriptionId!, new StripeNet.SubscriptionUpdateOptions { CancelAtPeriodEnd = false }, cancellationToken: cancellationToken);
            return SubscriptionChangeRequested.From(request.UserId, "resume", updated);
        }
    }
}
