namespace Monetization.BuildingBlocks.Http;

/// <summary>What an API key must be allowed to do to call a route.</summary>
public enum ApiScope
{
    /// <summary>No key needed (health, plans for a pricing page, the Stripe webhook, which is signed instead).</summary>
    Anonymous,

    /// <summary>A key with the <c>read</c> or <c>admin</c> scope.</summary>
    Read,

    /// <summary>A key with the <c>admin</c> scope.</summary>
    Admin,

    /// <summary>
    /// A key with the <c>usage:write</c> or <c>admin</c> scope: usage ingestion only (<c>POST /v1/usage/events</c>,
    /// <c>POST /v1/usage/integrations/litellm</c>), so a metering proxy such as LiteLLM holds a key that can report usage
    /// and nothing else (issue 20).
    /// </summary>
    UsageWrite,
}

/// <summary>The scope names an API key is configured with (<c>Auth:ApiKeys:N:Scopes</c>).</summary>
public static class ApiScopeNames
{
    /// <summary>Everything.</summary>
    public const string Admin = "admin";

    /// <summary>Every GET route.</summary>
    public const string Read = "read";

    /// <summary>Usage ingestion routes (<see cref="ApiScope.UsageWrite"/>).</summary>
    public const string UsageWrite = "usage:write";

    /// <summary>Every known name.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>([Admin, Read, UsageWrite], StringComparer.Ordinal);

    /// <summary>The wire name of a route scope (<c>usage:write</c> for <see cref="ApiScope.UsageWrite"/>).</summary>
    public static string Of(ApiScope scope) => scope switch
    {
        ApiScope.UsageWrite => UsageWrite,
        _ => scope.ToString().ToLowerInvariant(),
    };

    /// <summary>True when a key with <paramref name="keyScopes"/> may call a route that needs <paramref name="scope"/>.</summary>
    public static bool Allows(IReadOnlySet<string> keyScopes, ApiScope scope)
    {
        ArgumentNullException.ThrowIfNull(keyScopes);
        return scope == ApiScope.Anonymous
            || keyScopes.Contains(Admin)
            || (scope == ApiScope.Read && keyScopes.Contains(Read))
            || (scope == ApiScope.UsageWrite && keyScopes.Contains(UsageWrite));
    }
}

/// <summary>Endpoint metadata: the scope a route needs. Routes without it need <see cref="ApiScope.Admin"/>.</summary>
/// <param name="Scope">The scope.</param>
public sealed record ApiScopeMetadata(ApiScope Scope);
