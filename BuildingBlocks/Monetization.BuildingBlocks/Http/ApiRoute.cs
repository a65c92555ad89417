using System.Collections.Concurrent;

namespace Monetization.BuildingBlocks.Http;

/// <summary>A query-string parameter of a route, for the OpenAPI document.</summary>
/// <param name="Name">Parameter name.</param>
/// <param name="Description">What it means, with its format.</param>
/// <param name="Required">Whether it must be given.</param>
public sealed record ApiParameter(string Name, string Description, bool Required = false);

/// <summary>How a route is described and protected: summary, scope, success status, query parameters.</summary>
/// <param name="Summary">One line for the OpenAPI document and docs/api.md.</param>
public sealed record ApiRoute(string Summary)
{
    /// <summary>Required scope; null means Read for GET and Admin otherwise.</summary>
    public ApiScope? Scope { get; init; }

    /// <summary>HTTP status of success (200 unless stated).</summary>
    public int Status { get; init; } = 200;

    /// <summary>Longer description.</summary>
    public string? Description { get; init; }

    /// <summary>Query parameters.</summary>
    public IReadOnlyList<ApiParameter> Query { get; init; } = [];

    /// <summary>Other statuses the route answers with problem+json, for the document.</summary>
    public IReadOnlyList<int> Problems { get; init; } = [];
}

/// <summary>A mapped route as the OpenAPI generator sees it.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Pattern">Route pattern (<c>/v1/subscriptions/{user_id}</c>).</param>
/// <param name="Tag">The module.</param>
/// <param name="Route">Its description.</param>
/// <param name="Scope">Effective scope.</param>
/// <param name="RequestBody">Body type, if any.</param>
/// <param name="Response">Response type, if any.</param>
public sealed record ApiRouteDescription(string Method, string Pattern, string Tag, ApiRoute Route, ApiScope Scope, Type? RequestBody, Type? Response);

/// <summary>
/// The Host's routes as they were mapped (a singleton service: modules describe theirs when Carter maps them at start),
/// for the OpenAPI document and the API's own tests. One per Host, so two Hosts in one process keep their own.
/// </summary>
public sealed class ApiCatalog
{
    private readonly ConcurrentDictionary<string, ApiRouteDescription> _routes = new(StringComparer.Ordinal);

    /// <summary>All routes, by pattern then method.</summary>
    public IReadOnlyList<ApiRouteDescription> All =>
        _routes.Values.OrderBy(r => r.Pattern, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal).ToList();

    /// <summary>Adds or replaces a route's description.</summary>
    public void Describe(ApiRouteDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        _routes[$"{description.Method} {description.Pattern}"] = description;
    }
}
