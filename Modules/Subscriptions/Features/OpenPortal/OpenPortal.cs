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

namespace Monetization.Subscriptions.Features.OpenPortal;

/// <summary><c>POST /v1/subscriptions/portal</c>: a Stripe customer portal session for the user; 404 when the user has no Stripe customer.</summary>
internal static class OpenPortal
{
    /// <summary>The JSON body.</summary>
    internal sealed record Body(string? UserId, string? ReturnUrl)
    {
        public Request ToRequest() => this.Adapt<Request>(SubscriptionsMapping.Config);
    }

    internal sealed record Request(string UserId, string? ReturnUrl) : IRequest<Response>;

    /// <summary>The single-use portal link.</summary>
    internal sealed record Response(string Url);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.UserId).Must(UserIds.IsValid).WithMessage("user_id " + UserIds.Rule + ".");
            RuleFor(r => r.ReturnUrl).Must(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                .When(r => r.ReturnUrl is not null).WithMessage("return_url must be an absolute http(s) URL.");
        }
    }

    internal sealed class Handler(SubscriptionsDbContext db, StripeNet.StripeClient stripe, IOptions<SubscriptionsOptions> options) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var customer = await db.Accounts.AsNoTracking().Where(a => a.UserId == request.UserId).Select(a => a.StripeCustomerId).FirstOrDefaultAsync(cancellationToken)
                ?? throw ProblemException.NotFound("Stripe customer of user", request.UserId);
            var session = await stripe.V1.BillingPortal.Sessions.CreateAsync(
                new StripeNet.BillingPortal.SessionCreateOptions { Customer = customer, ReturnUrl = request.ReturnUrl ?? options.Value.PortalReturnUrl },
                cancellationToken: cancellationToken);
            return new Response(session.Url);
        }
    }
}
