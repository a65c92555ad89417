using System.Text.Json;
using Mapster;
using Monetization.BuildingBlocks.Mapping;
using Monetization.Usage.Domain;
using Monetization.Usage.Features.ListUsageEvents;
using Monetization.Usage.Features.RunUsageInvoices;

namespace Monetization.Usage;

/// <summary>The Usage module's plain mappings (Mapster, ADR 0003); members map by name unless said here.</summary>
internal static class UsageMapping
{
    /// <summary>The module's compiled configuration: pass it to <c>Adapt</c>.</summary>
    public static readonly TypeAdapterConfig Config = ModuleMapping.Create(config =>
    {
        config.NewConfig<RunUsageInvoices.Body, RunUsageInvoices.Request>();
        // Properties are stored as JSON text and answered as the JSON object they were sent as.
        config.NewConfig<UsageEventRecord, ListUsageEvents.EventView>()
            .Map(d => d.Properties, s => StoredJson(s.Properties));
    });

    private static JsonElement? StoredJson(string? text)
    {
        if (text is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
