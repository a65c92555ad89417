using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Shapes;

namespace Monetization.StripeEmulator.Api;

/// <summary><c>/v1/events</c>: retrieve and list (newest first) with <c>type</c> (wildcards), <c>types[]</c> and <c>created</c> filters.</summary>
internal static class EventsApi
{
    public static void Map(Router router)
    {
        router.Get("/v1/events", List);
        router.Get("/v1/events/{id}", Retrieve);
    }

    private static JsonNode Retrieve(ApiRequest q)
    {
        q.Form.Allow(string.Empty);
        return q.Engine.Store.Require(q.Id, "event", "id");
    }

    private static JsonNode List(ApiRequest q)
    {
        q.Form.Allow("delivery_success type types " + Lists.PagingParams);
        var type = q.Form.Str("type");
        var types = q.Form.StrArray("types");
        var items = q.Engine.Store.All("event").Where(e =>
            (type is null || Matches(type, e.Str("type")!)) &&
            (types.Count == 0 || types.Contains(e.Str("type")!)));
        return Lists.Page(q.Form, items, "/v1/events");
    }

    private static bool Matches(string pattern, string type)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return pattern == type;
        }

        var prefix = pattern[..pattern.IndexOf('*', StringComparison.Ordinal)];
        return type.StartsWith(prefix, StringComparison.Ordinal);
    }
}
