using Mapster;
using Monetization.BuildingBlocks.Mapping;
using Monetization.Subscriptions.Domain;
using Monetization.Subscriptions.Features.ListStripeEvents;
using Monetization.Subscriptions.Features.OpenPortal;
using Monetization.Subscriptions.Features.StartCheckout;

namespace Monetization.Subscriptions;

/// <summary>The Subscriptions module's plain mappings (Mapster, ADR 0003); members map by name unless said here.</summary>
internal static class SubscriptionsMapping
{
    /// <summary>The module's compiled configuration: pass it to <c>Adapt</c> or <c>ProjectToType</c>.</summary>
    public static readonly TypeAdapterConfig Config = ModuleMapping.Create(config =>
    {
        config.NewConfig<StripeEventRecord, ListStripeEvents.EventView>();
        // A missing id or plan becomes "", which the request's validator names as the missing field.
        config.NewConfig<StartCheckout.Body, StartCheckout.Request>()
            .Map(d => d.UserId, s => s.UserId ?? "")
            .Map(d => d.Plan, s => s.Plan ?? "")
            .Map(d => d.Cadence, s => s.Cadence ?? "");
        config.NewConfig<OpenPortal.Body, OpenPortal.Request>()
            .Map(d => d.UserId, s => s.UserId ?? "");
    });
}
