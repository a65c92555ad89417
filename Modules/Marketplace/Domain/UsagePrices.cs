using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Marketplace;
using Monetization.Marketplace.Data;

namespace Monetization.Marketplace.Domain;

/// <summary>Tells the Usage module a usage-priced plugin's price (issue 20), in the caller's transaction.</summary>
internal static class UsagePrices
{
    /// <summary>Adds <see cref="PluginUsagePriced"/> to the outbox for a usage-priced plugin; nothing for other models.</summary>
    public static void Announce(MarketplaceDbContext db, Plugin plugin, DateTimeOffset now)
    {
        if (plugin.PricingModel != PricingModels.Usage || plugin.UnitAmountDecimal is null || plugin.Currency is null)
        {
            return;
        }

        db.AddIntegrationEvent(new PluginUsagePriced(IntegrationEventIds.New(now), now, plugin.Id, plugin.UsageUnit ?? "tokens", plugin.Currency,
            plugin.UnitAmountDecimal, plugin.InputUnitAmountDecimal, plugin.OutputUnitAmountDecimal));
    }
}
