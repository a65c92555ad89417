using Monetization.BuildingBlocks.Http;

namespace Monetization.Referrals;

/// <summary>The Referrals module's routes: each maps one request to one feature slice.</summary>
internal sealed class ReferralsRoutes : ApiModule
{
    public ReferralsRoutes()
        : base("Referrals")
    {
    }
}
