using Mapster;
using Monetization.BuildingBlocks.Mapping;
using Monetization.Marketplace.Domain;
using Monetization.Marketplace.Features.Developers;
using Monetization.Marketplace.Features.Earnings;
using Monetization.Marketplace.Features.Installs;
using Monetization.Marketplace.Features.Payouts;
using Monetization.Marketplace.Features.Plugins;

namespace Monetization.Marketplace;

/// <summary>The Marketplace module's entity-to-response mappings (Mapster, ADR 0003); members map by name unless said here.</summary>
internal static class MarketplaceMapping
{
    /// <summary>The module's compiled configuration: pass it to <c>Adapt</c>.</summary>
    public static readonly TypeAdapterConfig Config = ModuleMapping.Create(config =>
    {
        config.NewConfig<Developer, DeveloperResponse>();
        config.NewConfig<Payout, PayoutResponse>();
        config.NewConfig<Plugin, PricingBody>()
            .Map(d => d.Model, s => s.PricingModel)
            .Map(d => d.Unit, s => s.UsageUnit);
        config.NewConfig<Plugin, PluginResponse>()
            .Map(d => d.Pricing, s => s);
        // The checkout link is only worth showing while the install waits for payment.
        config.NewConfig<Install, InstallResponse>()
            .Map(d => d.InstallId, s => s.Id)
            .Map(d => d.CheckoutUrl, s => s.Status == InstallStatuses.PendingPayment ? s.CheckoutUrl : null);
        config.NewConfig<RevenueEvent, ListRevenueEvents.RevenueEventView>()
            .Map(d => d.RefundOf, s => s.RefundOfEventId);
    });
}
