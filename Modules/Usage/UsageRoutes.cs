using Monetization.BuildingBlocks.Http;

namespace Monetization.Usage;

/// <summary>The Usage module's routes: each maps one request to one feature slice.</summary>
internal sealed class UsageRoutes : ApiModule
{
    public UsageRoutes()
        : base("Usage")
    {
    }
}
