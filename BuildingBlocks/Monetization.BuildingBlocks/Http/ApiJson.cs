using System.Text.Json;
using System.Text.Json.Serialization;

namespace Monetization.BuildingBlocks.Http;

/// <summary>
/// The API's JSON conventions: snake_case names (as Stripe and the seeds' clients expect), ISO 8601 timestamps, enums
/// as snake_case strings, nulls written out so shapes are stable.
/// </summary>
public static class ApiJson
{
    /// <summary>The shared serializer options (read-only once first used).</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Applies the conventions to an options instance (used for ASP.NET Core's own JSON options too).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.PropertyNameCaseInsensitive = false;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
