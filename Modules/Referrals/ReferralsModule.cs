using Monetization.BuildingBlocks.Modules;
using Monetization.Referrals.Data;

namespace Monetization.Referrals;

/// <summary>The Referrals module: registers its database, routes and options with the Host.</summary>
public sealed class ReferralsModule : IModule
{
    /// <inheritdoc />
    public string Name => "Referrals";

    /// <inheritdoc />
    public void Register(ModuleBuilder module)
    {
        ArgumentNullException.ThrowIfNull(module);
        module.AddDbContext<ReferralsDbContext>();
        module.AddRoutes<ReferralsRoutes>();
    }
}
