using Monetization.BuildingBlocks.Modules;
using Monetization.Marketplace.Data;

namespace Monetization.Marketplace;

/// <summary>The Marketplace module: registers its database, routes and options with the Host.</summary>
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
    }
}
