using Mapster;
using Monetization.BuildingBlocks.Mapping;
using Monetization.Referrals.Features.CaptureReferral;

namespace Monetization.Referrals;

/// <summary>The Referrals module's plain mappings (Mapster, ADR 0003); members map by name unless said here.</summary>
internal static class ReferralsMapping
{
    /// <summary>The module's compiled configuration: pass it to <c>Adapt</c>.</summary>
    public static readonly TypeAdapterConfig Config = ModuleMapping.Create(config =>
    {
        // A missing field becomes "", which the request's validator names.
        config.NewConfig<CaptureReferral.Body, CaptureReferral.Request>()
            .Map(d => d.UserId, s => s.UserId ?? "")
            .Map(d => d.Code, s => s.Code ?? "");
    });
}
