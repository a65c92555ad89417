using Monetization.BuildingBlocks.Http;

namespace Monetization.Subscriptions;

/// <summary>The Subscriptions module's routes: each maps one request to one feature slice.</summary>
internal sealed class SubscriptionsRoutes : ApiModule
{
    public SubscriptionsRoutes()
        : base("Subscriptions")
    {
    }
}
