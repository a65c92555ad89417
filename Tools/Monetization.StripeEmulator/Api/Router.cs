using System.Text.Json.Nodes;

namespace Monetization.StripeEmulator.Api;

/// <summary>Maps <c>METHOD /v1/path/{param}</c> templates to handlers.</summary>
internal sealed class Router
{
    private readonly List<Route> _routes = [];

    public void Get(string template, Func<ApiRequest, JsonNode> handler) => Add("GET", template, handler);

    public void Post(string template, Func<ApiRequest, JsonNode> handler) => Add("POST", template, handler);

    public void Delete(string template, Func<ApiRequest, JsonNode> handler) => Add("DELETE", template, handler);

    public Route? Match(string method, string path, out Dictionary<string, string> values, out bool pathMatched)
    {
        values = new Dictionary<string, string>(StringComparer.Ordinal);
        pathMatched = false;
        var segments = path.Trim('/').Split('/');
        foreach (var route in _routes)
        {
            if (route.Segments.Length != segments.Length)
            {
                continue;
            }

            var candidate = new Dictionary<string, string>(StringComparer.Ordinal);
            var ok = true;
            for (var i = 0; i < segments.Length && ok; i++)
            {
                var template = route.Segments[i];
                if (template.StartsWith('{'))
                {
                    candidate[template.Trim('{', '}')] = Uri.UnescapeDataString(segments[i]);
                }
                else if (!string.Equals(template, segments[i], StringComparison.Ordinal))
                {
                    ok = false;
                }
            }

            if (!ok)
            {
                continue;
            }

            pathMatched = true;
            if (string.Equals(route.Method, method, StringComparison.OrdinalIgnoreCase))
            {
                values = candidate;
                return route;
            }
        }

        return null;
    }

    private void Add(string method, string template, Func<ApiRequest, JsonNode> handler) =>
        _routes.Add(new Route(method, template.Trim('/').Split('/'), handler));

    internal sealed record Route(string Method, string[] Segments, Func<ApiRequest, JsonNode> Handler);
}
