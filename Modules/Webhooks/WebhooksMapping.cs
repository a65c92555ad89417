using Mapster;
using Monetization.BuildingBlocks.Mapping;
using Monetization.Webhooks.Domain;
using Monetization.Webhooks.Features.WebhookDeliveries;
using Monetization.Webhooks.Features.WebhookEndpoints;

namespace Monetization.Webhooks;

/// <summary>The Webhooks module's plain mappings (Mapster, ADR 0003); members map by name unless said here.</summary>
internal static class WebhooksMapping
{
    /// <summary>The module's compiled configuration: pass it to <c>Adapt</c>.</summary>
    public static readonly TypeAdapterConfig Config = ModuleMapping.Create(config =>
    {
        // Stored space-separated; shown as a list.
        config.NewConfig<WebhookEndpoint, WebhookEndpointView>()
            .Map(d => d.EventTypes, s => s.EventTypeList);
        config.NewConfig<WebhookDelivery, WebhookDeliveryView>();
    });
}
