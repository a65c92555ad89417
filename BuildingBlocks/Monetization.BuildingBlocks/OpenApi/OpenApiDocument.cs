using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.RegularExpressions;
using Monetization.BuildingBlocks.Http;

namespace Monetization.BuildingBlocks.OpenApi;

/// <summary>
/// Builds the OpenAPI 3.1 document served at <c>/openapi.json</c> from the routes' own declarations
/// (<see cref="ApiCatalog"/>): routes are plain request delegates, from which no generator can infer shapes (ADR 0002), so schemas come from the
/// request and response types through System.Text.Json's schema exporter with the API's snake_case options.
/// </summary>
public static partial class OpenApiDocument
{
    /// <summary>The document as JSON.</summary>
    /// <param name="catalog">The Host's routes.</param>
    /// <param name="title">API title.</param>
    /// <param name="version">API version.</param>
    public static JsonObject Build(ApiCatalog catalog, string title, string version)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var paths = new JsonObject();
        foreach (var group in catalog.All.GroupBy(r => r.Pattern))
        {
            var item = new JsonObject();
            foreach (var route in group)
            {
                item[route.Method.ToLowerInvariant()] = Operation(route);
            }

            paths[group.Key] = item;
        }

        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject { ["title"] = title, ["version"] = version },
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["securitySchemes"] = new JsonObject
                {
                    ["apiKey"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["description"] = "API key with scope admin, read or usage:write." },
                },
                ["schemas"] = new JsonObject
                {
                    ["Problem"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["description"] = "RFC 9457 problem details.",
                        ["properties"] = new JsonObject
                        {
                            ["type"] = new JsonObject { ["type"] = "string" },
                            ["title"] = new JsonObject { ["type"] = "string" },
                            ["status"] = new JsonObject { ["type"] = "integer" },
                            ["detail"] = new JsonObject { ["type"] = "string" },
                            ["instance"] = new JsonObject { ["type"] = "string" },
                            ["errors"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } } },
                        },
                    },
                },
            },
        };
    }

    private static JsonObject Operation(ApiRouteDescription route)
    {
        var parameters = new JsonArray();
        foreach (Match match in PathParameter().Matches(route.Pattern))
        {
            parameters.Add(new JsonObject { ["name"] = match.Groups[1].Value, ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string" } });
        }

        foreach (var query in route.Route.Query)
        {
            parameters.Add(new JsonObject { ["name"] = query.Name, ["in"] = "query", ["required"] = query.Required, ["description"] = query.Description, ["schema"] = new JsonObject { ["type"] = "string" } });
        }

        if (route.Method == "POST")
        {
            parameters.Add(new JsonObject { ["name"] = "Idempotency-Key", ["in"] = "header", ["required"] = false, ["description"] = "Replays the stored response of the first request with this key for 24 h.", ["schema"] = new JsonObject { ["type"] = "string" } });
        }

        var responses = new JsonObject
        {
            [route.Route.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = route.Response is null
                ? new JsonObject { ["description"] = "Success." }
                : new JsonObject { ["description"] = "Success.", ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Schema(route.Response) } } },
        };
        foreach (var status in route.Route.Problems.Concat(route.Scope == ApiScope.Anonymous ? [] : [401, 403]).Distinct())
        {
            responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["description"] = "Problem.",
                ["content"] = new JsonObject { ["application/problem+json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/Problem" } } },
            };
        }

        var operation = new JsonObject
        {
            ["tags"] = new JsonArray(route.Tag),
            ["summary"] = route.Route.Summary,
            ["operationId"] = OperationId(route),
            ["parameters"] = parameters,
            ["responses"] = responses,
        };
        if (route.Route.Description is not null)
        {
            operation["description"] = route.Route.Description;
        }

        if (route.Scope != ApiScope.Anonymous)
        {
            operation["security"] = new JsonArray(new JsonObject { ["apiKey"] = new JsonArray() });
            operation["x-scope"] = ApiScopeNames.Of(route.Scope);
        }

        if (route.RequestBody is not null)
        {
            operation["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Schema(route.RequestBody) } },
            };
        }

        return operation;
    }

    private static JsonNode Schema(Type type)
    {
        try
        {
            return JsonSchemaExporter.GetJsonSchemaAsNode(ApiJson.Options, type, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException)
        {
            return new JsonObject { ["type"] = "object", ["description"] = type.Name };
        }
    }

    private static string OperationId(ApiRouteDescription route) =>
        route.Method.ToLowerInvariant() + string.Concat(route.Pattern.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Trim('{', '}'))
            .Select(s => string.Concat(s.Split('_').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]))));

    [GeneratedRegex(@"\{([a-z_]+)(?::[^}]*)?\}")]
    private static partial Regex PathParameter();
}
