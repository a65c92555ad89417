using Microsoft.Extensions.DependencyInjection;
using Monetization.BuildingBlocks.Modules;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;
using Monetization.Marketplace.Features.Payouts;

namespace Monetization.Marketplace;

/// <summary>
/// The Marketplace module: plugins, developers (Stripe Connect Express accounts), installs, revenue events split between
/// developer and platform, earnings and monthly payouts by transfer (docs/modules/marketplace.md).
/// </summary>
public sealed class MarketplaceModule : IModule
{
    /// <inheritdoc />
    public string Name => "Marketplace";

    /// <inheritdoc />
    public void Register(ModuleBuilder module)
    {
        ArgumentNullException.ThrowIfNull(module);
        module.AddDbContext<MarketplaceDbContext>();
        module.AddRoutes<MarketplaceRoutes>();
        module.AddOptions<MarketplaceOptions>("Marketplace");
        module.Services.AddScoped<RevenueLedger>();
        module.Services.AddScoped<MonthlyInstallBilling>();
        module.Services.AddSingleton<PayoutScheduler>();
        module.Services.AddHostedService(sp => sp.GetRequiredService<PayoutScheduler>());
    }
}
