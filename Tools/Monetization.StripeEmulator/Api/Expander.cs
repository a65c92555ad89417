using System.Text.Json.Nodes;
using Monetization.StripeEmulator.State;

namespace Monetization.StripeEmulator.Api;

/// <summary>Applies <c>expand[]</c>: replaces id strings along a dotted path with the full objects.</summary>
internal static class Expander
{
    public static void Apply(JsonNode? result, IEnumerable<string> paths, Store store)
    {
        foreach (var path in paths)
        {
            Walk(result, path.Split('.'), 0, store);
        }
    }

    private static void Walk(JsonNode? node, string[] segments, int index, Store store)
    {
        if (node is not JsonObject obj || index >= segments.Length)
        {
            return;
        }

        var key = segments[index];
        if (key == "data" && obj["data"] is JsonArray array && (string?)obj["object"] == "list")
        {
            foreach (var element in array)
            {
                Walk(element, segments, index + 1, store);
            }

            return;
        }

        var value = obj[key];
        if (value is JsonValue v && v.TryGetValue<string>(out var id) && store.Find(id) is { } target)
        {
            value = target.DeepClone();
            obj[key] = value;
        }

        Walk(value, segments, index + 1, store);
    }
}
