using Mapster;
using StripeNet = Stripe;
using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Http;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;

namespace Monetization.Subscriptions.Features.StartCheckout;

/// <summary>
/// <c>POST /v1/subscriptions/checkout</c>: a Stripe Checkout Session (subscription mode) for a paid plan and cadence. Reuses
/// the user's Stripe customer or creates it first (no duplicates, see <see cref="StripeCustomerLink"/>); sets
/// <c>client_reference_id</c> and <c>metadata{user_id, plan, cadence}</c> (also on the subscription) and the cadence's trial
/// (annual 14 days by default, once per user). 409 when the user already has this plan and cadence, or another live
/// subscription (use change_plan). <c>allow_promotion_codes</c> (issue 20; seed 001 turns it on) lets the customer enter a
/// Stripe promotion code on the Checkout page; absent, <c>Subscriptions:AllowPromotionCodes</c> decides (default false).
/// </summary>
internal static class StartCheckout
{
    /// <summary>The JSON body.</summary>
    internal sealed record Body(string? UserId, string? Email, string? Plan, string? Cadence, string? SuccessUrl, string? CancelUrl, bool? AllowPromotionCodes = null)
    {
        public Request ToRequest() => this.Adapt<Request>(SubscriptionsMapping.Config);
    }

    internal sealed record Request(string UserId, string? Email, string Plan, string Cadence, string? SuccessUrl, string? CancelUrl, bool? AllowPromotionCodes = null) : IRequest<Response>;

    /// <summary>The session to redirect the user to.</summary>
    internal sealed record Response(string SessionId, string Url);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator(PlanCatalog catalog)
        {
            RuleFor(r => r.UserId).Must(UserIds.IsValid).WithMessage("user_id " + UserIds.Rule + ".");
            RuleFor(r => r.Email).NotEmpty().WithMessage("email is required.").EmailAddress().WithMessage("email must be an e-mail address.").MaximumLength(320);
            RuleFor(r => r.Plan).NotEmpty().WithMessage("plan is required.")
                .Must(p => catalog.Find(p) is { IsPaid: true }).WithMessage(r => catalog.Find(r.Plan) is null
                    ? $"Unknown plan '{r.Plan}'; known: {string.Join(", ", catalog.Plans.Select(p => p.Key))}."
                    : $"Plan '{r.Plan}' is free: nothing to check out.");
            RuleFor(r => r.Cadence).Must(Cadences.IsKnown).WithMessage("cadence must be monthly or annual.")
                .Must((r, c) => catalog.Find(r.Plan) is not { } p || !p.IsPaid || p.Prices.ContainsKey(c)).WithMessage(r => $"Plan '{r.Plan}' is not sold {r.Cadence}.");
            RuleFor(r => r.SuccessUrl).Must(BeHttpUrl).When(r => r.SuccessUrl is not null).WithMessage("success_url must be an absolute http(s) URL.");
            RuleFor(r => r.CancelUrl).Must(BeHttpUrl).When(r => r.CancelUrl is not null).WithMessage("cancel_url must be an absolute http(s) URL.");
        }

        private static bool BeHttpUrl(string? url) =>
            Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
    }

    internal sealed class Handler(
        SubscriptionsDbContext db,
        PlanCatalog catalog,
        StripePriceResolver prices,
        StripeCustomerLink customers,
        StripeNet.StripeClient stripe,
        IOptions<SubscriptionsOptions> options) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var plan = catalog.Find(request.Plan)!;
            var account = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.UserId == request.UserId, cancellationToken);
            if (account is not null && account.StripeSubscriptionId is not null && SubscriptionStatuses.IsLive(account.Status)
                && account.Status is not SubscriptionStatuses.Incomplete)
            {
                if (account.Plan == plan.Key && account.Cadence == request.Cadence)
                {
                    throw ProblemException.Conflict("already_subscribed", $"User {request.UserId} already has {plan.Key} ({request.Cadence}), status {account.Status}.", new Dictionary<string, object?> { ["subscription_status"] = account.Status });
                }

                throw ProblemException.Conflict(
                    "subscription_exists",
                    $"User {request.UserId} already has a live subscription ({account.Plan}, {account.Cadence}, {account.Status}); change it with POST /v1/subscriptions/{request.UserId}/change_plan.",
                    new Dictionary<string, object?> { ["plan"] = account.Plan, ["cadence"] = account.Cadence, ["subscription_status"] = account.Status });
            }

            var priceId = await prices.PriceIdAsync(plan.Key, request.Cadence, cancellationToken);
            var customerId = await customers.EnsureAsync(request.UserId, request.Email, cancellationToken);
            var trialUsed = options.Value.TrialOncePerUser && account is { TrialUsed: true };
            var trialDays = plan.Prices[request.Cadence].TrialDays;
            var metadata = new Dictionary<string, string>
            {
                [MetadataKeys.UserId] = request.UserId,
                [MetadataKeys.Plan] = plan.Key,
                [MetadataKeys.Cadence] = request.Cadence,
            };
            var session = await stripe.V1.Checkout.Sessions.CreateAsync(
                new StripeNet.Checkout.SessionCreateOptions
                {
                    Mode = "subscription",
                    Customer = customerId,
                    ClientReferenceId = request.UserId,
                    LineItems = [new StripeNet.Checkout.SessionLineItemOptions { Price = priceId, Quantity = 1 }],
                    SubscriptionData = new StripeNet.Checkout.SessionSubscriptionDataOptions { TrialPeriodDays = trialDays > 0 && !trialUsed ? trialDays : null, Metadata = metadata },
                    Metadata = metadata,
                    SuccessUrl = request.SuccessUrl ?? options.Value.CheckoutSuccessUrl,
                    CancelUrl = request.CancelUrl ?? options.Value.CheckoutCancelUrl,
                    AllowPromotionCodes = request.AllowPromotionCodes ?? options.Value.AllowPromotionCodes,
                },
                cancellationToken: cancellationToken);
            return new Response(session.Id, session.Url ?? "");
        }
    }
}
