using Monetization.BuildingBlocks.Modules;
using Monetization.Subscriptions.Data;

namespace Monetization.Subscriptions;

/// <summary>The Subscriptions module: registers its database, routes and options with the Host.</summary>
public sealed class SubscriptionsModule : IModule
{
    /// <inheritdoc />
    public string Name => "Subscriptions";

    /// <inheritdoc />
    public void Register(ModuleBuilder module)
    {
        ArgumentNullException.ThrowIfNull(module);
        module.AddDbContext<SubscriptionsDbContext>();
        module.AddRoutes<SubscriptionsRoutes>();
    }
}
