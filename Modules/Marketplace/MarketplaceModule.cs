using Microsoft.Extensions.DependencyInjection;
using Monetization.BuildingBlocks.Modules;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;
using Monetization.Marketplace.Features.Payouts;
using Monetization.Marketplace.Features.StripeCalls;

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
        _ = MarketplaceMapping.Config; // compiled now, so a mapping without a source stops the Host at start
        module.AddOptions<MarketplaceOptions>("Marketplace");
        module.Services.AddScoped<RevenueLedger>();
        module.Services.AddScoped<MonthlyInstallBilling>();
        module.Services.AddScoped<StripeCallExecutor>();
        module.Services.AddSingleton<StripeCallRunner>();
        module.Services.AddHostedService(sp => sp.GetRequiredService<StripeCallRunner>());
        module.Services.AddSingleton<PayoutScheduler>();
        module.Services.AddHostedService(sp => sp.GetRequiredService<PayoutScheduler>());
    }
}
