using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Marketplace.Data;

namespace Monetization.Marketplace.Consumers;

/// <summary>
/// <c>ConnectedAccountUpdated</c> (Stripe's <c>account.updated</c>): the developer's payout readiness follows Stripe's
/// <c>payouts_enabled</c>. An update older than the last applied one is ignored (delivery may be out of order).
/// </summary>
internal sealed class UpdateConnectedAccount(MarketplaceDbContext db, TimeProvider clock)
    : IdempotentConsumer<ConnectedAccountUpdated, MarketplaceDbContext>(db, clock)
{
    protected override async Task HandleAsync(ConnectedAccountUpdated integrationEvent, CancellationToken cancellationToken)
    {
        var developer = await Db.Developers.SingleOrDefaultAsync(d => d.StripeAccountId == integrationEvent.AccountId, cancellationToken);
        if (developer is null || (developer.AccountUpdatedAt is { } last && last > integrationEvent.OccurredAt))
        {
            return;
        }

        developer.PayoutsEnabled = integrationEvent.PayoutsEnabled;
        developer.ChargesEnabled = integrationEvent.ChargesEnabled;
        developer.DetailsSubmitted = integrationEvent.DetailsSubmitted;
        developer.AccountUpdatedAt = integrationEvent.OccurredAt;
    }
}
