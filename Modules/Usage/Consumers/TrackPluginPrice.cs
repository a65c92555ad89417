using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Marketplace;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Consumers;

/// <summary><c>PluginUsagePriced</c>: keeps the newest price of each usage-priced plugin for invoicing (issue 20).</summary>
internal sealed class TrackPluginPrice(UsageDbContext db, TimeProvider clock)
    : IdempotentConsumer<PluginUsagePriced, UsageDbContext>(db, clock)
{
    protected override async Task HandleAsync(PluginUsagePriced integrationEvent, CancellationToken cancellationToken)
    {
        var price = await Db.PluginPrices.SingleOrDefaultAsync(p => p.PluginId == integrationEvent.PluginId, cancellationToken);
        if (price is null)
        {
            price = new PluginPrice { PluginId = integrationEvent.PluginId };
            Db.PluginPrices.Add(price);
        }
        else if (price.PricedAt > integrationEvent.OccurredAt)
        {
            return;
        }

        price.Currency = integrationEvent.Currency.ToLowerInvariant();
        price.UnitAmountDecimal = integrationEvent.UnitAmountDecimal;
        price.InputUnitAmountDecimal = integrationEvent.InputUnitAmountDecimal;
        price.OutputUnitAmountDecimal = integrationEvent.OutputUnitAmountDecimal;
        price.PricedAt = integrationEvent.OccurredAt;
    }
}
