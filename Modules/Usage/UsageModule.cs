using Monetization.BuildingBlocks.Modules;
using Monetization.Usage.Data;

namespace Monetization.Usage;

/// <summary>The Usage module: registers its database, routes and options with the Host.</summary>
public sealed class UsageModule : IModule
{
    /// <inheritdoc />
    public string Name => "Usage";

    /// <inheritdoc />
    public void Register(ModuleBuilder module)
    {
        ArgumentNullException.ThrowIfNull(module);
        module.AddDbContext<UsageDbContext>();
        module.AddRoutes<UsageRoutes>();
    }
}
