using Monetization.BuildingBlocks.Modules;
using Monetization.Referrals.Data;

namespace Monetization.Referrals;

/// <summary>
/// The Referrals module: referral codes, referrals captured at sign-up, and a ledger of access-credit grants and
/// reversals. Converts a referral on <c>FirstPaidTransition</c> (crediting both sides), claws back on
/// <c>PaymentRefunded</c>, and publishes <c>AccessCreditGranted</c> / <c>AccessCreditReversed</c>. See docs/modules/referrals.md.
/// </summary>
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
        _ = ReferralsMapping.Config; // compiled now, so a mapping without a source stops the Host at start
        module.AddOptions<ReferralsOptions>(ReferralsOptions.Section);
    }
}
