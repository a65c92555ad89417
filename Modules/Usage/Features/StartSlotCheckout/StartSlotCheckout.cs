using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.Options;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.StartSlotCheckout;

/// <summary>
/// <c>POST /v1/usage/{user_id}/quotas/{resource}/slots/checkout</c> <c>{quantity?}</c>: a Stripe payment checkout for
/// extra slots at <c>Usage:SlotPrice</c> each (seed 003: "additional deploy slots"). The slots are added to the limit when
/// <c>CheckoutCompleted</c> arrives with <c>purpose = usage.slots</c>.
/// </summary>
internal static class StartSlotCheckout
{
    /// <summary>Largest number of slots in one checkout.</summary>
    public const int MaxSlots = 100;

    /// <summary>Body.</summary>
    /// <param name="Quantity">Slots to buy, 1..100 (default 1).</param>
    internal sealed record Body(long? Quantity)
    {
        // Hand-written: the route's values join the body here, which a Mapster mapping of Body alone cannot see.
        public Request ToRequest(string userId, string resource) => new(userId, resource, Quantity ?? 1);
    }

    /// <summary>The checkout.</summary>
    internal sealed record Request(string UserId, string Resource, long Quantity) : IRequest<Response>;

    /// <summary>The session to redirect to.</summary>
    /// <param name="SessionId">Stripe checkout session id.</param>
    /// <param name="Url">Checkout page URL.</param>
    /// <param name="Amount">Total, minor units.</param>
    /// <param name="Currency">ISO 4217.</param>
    internal sealed record Response(string SessionId, string Url, long Amount, string Currency);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.UserId).MustBeUserId();
            RuleFor(r => r.Resource).Must(QuotaResources.IsKnown).WithMessage("resource must be projects or deploys.");
            RuleFor(r => r.Quantity).InclusiveBetween(1, MaxSlots);
        }
    }

    internal sealed class Handler(CheckoutStarter starter, IOptions<UsageOptions> options) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var price = options.Value.SlotPrice;
            var currency = options.Value.Currency.ToLowerInvariant();
            var sale = new CheckoutSale(request.UserId, CheckoutPurposes.UsageSlots, $"Extra {request.Resource} slot", price, request.Quantity, currency, null, request.Resource, null);
            var (sessionId, url) = await starter.StartAsync(sale, cancellationToken);
            return new Response(sessionId, url, price * request.Quantity, currency);
        }
    }
}
