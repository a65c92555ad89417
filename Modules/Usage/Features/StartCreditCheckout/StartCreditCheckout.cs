using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.Options;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.StartCreditCheckout;

/// <summary>
/// <c>POST /v1/usage/{user_id}/credits/checkout</c> <c>{package}</c>: a Stripe payment checkout for a prepaid credit
/// package of <c>Usage:CreditPackages</c> (seed 003: $5/$10/$50). The credit is granted when <c>CheckoutCompleted</c>
/// arrives with <c>purpose = usage.credits</c>; the price paid is the credit granted.
/// </summary>
internal static class StartCreditCheckout
{
    /// <summary>Body.</summary>
    /// <param name="Package">A configured package (<c>small</c>, <c>medium</c>, <c>large</c>).</param>
    internal sealed record Body(string? Package)
    {
        // Hand-written: the route's values join the body here, which a Mapster mapping of Body alone cannot see.
        public Request ToRequest(string userId) => new(userId, Package);
    }

    /// <summary>The checkout.</summary>
    internal sealed record Request(string UserId, string? Package) : IRequest<Response>;

    /// <summary>The session to redirect to.</summary>
    /// <param name="SessionId">Stripe checkout session id.</param>
    /// <param name="Url">Checkout page URL.</param>
    /// <param name="Package">Package.</param>
    /// <param name="Amount">Price and credit, minor units.</param>
    /// <param name="Currency">ISO 4217.</param>
    internal sealed record Response(string SessionId, string Url, string Package, long Amount, string Currency);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator(IOptions<UsageOptions> options)
        {
            RuleFor(r => r.UserId).MustBeUserId();
            RuleFor(r => r.Package).NotEmpty().Must(p => p is not null && options.Value.CreditPackages.ContainsKey(p))
                .WithMessage(r => $"Unknown package '{r.Package}'; packages: {string.Join(", ", options.Value.CreditPackages.Keys.Order(StringComparer.Ordinal))}.");
        }
    }

    internal sealed class Handler(CheckoutStarter starter, IOptions<UsageOptions> options) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var package = options.Value.CreditPackages[request.Package!];
            var currency = package.Currency.ToLowerInvariant();
            var sale = new CheckoutSale(request.UserId, CheckoutPurposes.UsageCredits, $"Prepaid usage credits ({request.Package})", package.Amount, 1, currency, request.Package, null, package.ExpiresAfterDays);
            var (sessionId, url) = await starter.StartAsync(sale, cancellationToken);
            return new Response(sessionId, url, request.Package!, package.Amount, currency);
        }
    }
}
