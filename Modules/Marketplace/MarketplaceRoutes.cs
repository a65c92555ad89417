using Monetization.BuildingBlocks.Http;

namespace Monetization.Marketplace;

/// <summary>The Marketplace module's routes: each maps one request to one feature slice.</summary>
internal sealed class MarketplaceRoutes : ApiModule
{
    public MarketplaceRoutes()
        : base("Marketplace")
    {
    }
}
