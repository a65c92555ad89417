using System.Globalization;
using System.Text.Json.Nodes;

namespace Monetization.StripeEmulator.Shapes;

/// <summary>Small pieces shared by several object shapes.</summary>
internal static class Common
{
    public static JsonObject Address() => new()
    {
        ["city"] = null,
        ["country"] = null,
        ["line1"] = null,
        ["line2"] = null,
        ["postal_code"] = null,
        ["state"] = null,
    };

    public static JsonObject List(string url, IEnumerable<JsonNode>? items = null, bool hasMore = false) => new()
    {
        ["object"] = "list",
        ["data"] = new JsonArray((items ?? []).ToArray()),
        ["has_more"] = hasMore,
        ["url"] = url,
    };

    public static JsonObject Metadata(IReadOnlyDictionary<string, string?>? values)
    {
        var result = new JsonObject();
        if (values is null)
        {
            return result;
        }

        foreach (var (key, value) in values)
        {
            if (value is not null)
            {
                result[key] = value;
            }
        }

        return result;
    }

    /// <summary>Applies a metadata update: empty values remove keys; <c>metadata=</c> clears everything.</summary>
    public static void ApplyMetadata(JsonObject target, IReadOnlyDictionary<string, string?>? update, bool clearAll, string field = "metadata")
    {
        if (update is null)
        {
            return;
        }

        var current = target[field] as JsonObject ?? [];
        var next = clearAll ? new JsonObject() : (JsonObject)current.DeepClone();
        foreach (var (key, value) in update)
        {
            if (value is null)
            {
                next.Remove(key);
            }
            else
            {
                next[key] = value;
            }
        }

        target[field] = next;
    }

    public static string Money(long amount, string currency)
    {
        var symbol = currency.ToUpperInvariant() switch
        {
            "USD" => "$",
            "EUR" => "€",
            "GBP" => "£",
            _ => string.Empty,
        };
        var text = (amount / 100m).ToString("0.00", CultureInfo.InvariantCulture);
        return symbol.Length > 0 ? symbol + text : text + " " + currency.ToUpperInvariant();
    }

    public static string? Str(this JsonNode? node, string name) => node?[name]?.GetValue<string>();

    public static long Long(this JsonNode? node, string name) => node.LongOrNull(name) ?? 0;

    public static long? LongOrNull(this JsonNode? node, string name)
    {
        if (node?[name] is not JsonValue value)
        {
            return null;
        }

        if (value.TryGetValue<long>(out var l))
        {
            return l;
        }

        return value.TryGetValue<int>(out var i) ? i : null;
    }

    public static bool Bool(this JsonNode? node, string name) => node?[name] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    public static JsonObject Obj(this JsonNode? node, string name) => (JsonObject)node![name]!;

    public static JsonArray Arr(this JsonNode? node, string name) => (JsonArray)node![name]!;

    public static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
}
