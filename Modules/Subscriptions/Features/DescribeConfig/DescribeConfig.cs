using MediatR;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Http;
using Monetization.Subscriptions.Features.ListPlans;

namespace Monetization.Subscriptions.Features.DescribeConfig;

/// <summary>The Subscriptions part of <c>GET /v1/config</c> (issue 20): the plans with their prices, as <c>GET /v1/plans</c> lists them, and the checkout default of <c>allow_promotion_codes</c>.</summary>
internal static class DescribeConfig
{
    /// <summary>The part.</summary>
    /// <param name="Plans">Every plan with prices (minor units + currency per cadence) and entitlements.</param>
    /// <param name="AllowPromotionCodes"><c>Subscriptions:AllowPromotionCodes</c>: whether checkout shows Stripe's promotion code field by default.</param>
    internal sealed record Part(IReadOnlyList<ListPlans.ListPlans.PlanView> Plans, bool AllowPromotionCodes);

    internal sealed class Contributor(IMediator mediator, IOptions<SubscriptionsOptions> options) : IPublicConfigPart
    {
        public string Name => "subscriptions";

        public async Task<object> ReadAsync(CancellationToken cancellationToken)
        {
            var plans = await mediator.Send(new ListPlans.ListPlans.Request(), cancellationToken);
            return new Part(plans.Data, options.Value.AllowPromotionCodes);
        }
    }
}
