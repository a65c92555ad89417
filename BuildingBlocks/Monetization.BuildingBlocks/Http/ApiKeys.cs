using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Monetization.BuildingBlocks.Http;

/// <summary>One configured API key: only its SHA-256 hash is kept in memory.</summary>
/// <param name="Name">Label for logs.</param>
/// <param name="Sha256">SHA-256 of the key's UTF-8 bytes.</param>
/// <param name="Scopes"><c>admin</c> and/or <c>read</c>.</param>
public sealed record ApiKey(string Name, byte[] Sha256, IReadOnlySet<string> Scopes);

/// <summary>
/// The API keys the Host accepts (<c>Authorization: Bearer …</c>), stored as SHA-256 hashes and compared in constant
/// time against the hash of the presented key. Built at start from <c>Auth:AdminApiKey</c> and <c>Auth:ApiKeys</c>.
/// </summary>
public sealed class ApiKeyStore(IReadOnlyList<ApiKey> keys)
{
    /// <summary>The keys.</summary>
    public IReadOnlyList<ApiKey> Keys { get; } = keys;

    /// <summary>SHA-256 of a key's UTF-8 bytes.</summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Finds the key whose hash matches; every stored hash is compared, in constant time each.</summary>
    public ApiKey? Find(string presented)
    {
        var hash = Hash(presented);
        ApiKey? match = null;
        foreach (var key in Keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, key.Sha256))
            {
                match = key;
            }
        }

        return match;
    }
}

/// <summary>
/// Checks the API key of every request that reaches an endpoint needing one (see <see cref="ApiScopeMetadata"/>;
/// endpoints without it need <c>admin</c>): 401 problem without a valid key, 403 when its scopes are not enough.
/// The key's name is kept in <c>HttpContext.Items["api_key"]</c> for the idempotency store.
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyStore store)
{
    /// <summary>Item key holding the authenticated key's name.</summary>
    public const string ItemKey = "api_key";

    /// <summary>Authenticates and authorizes, or answers 401/403.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            await next(context);
            return;
        }

        var scope = endpoint.Metadata.GetMetadata<ApiScopeMetadata>()?.Scope ?? ApiScope.Admin;
        if (scope == ApiScope.Anonymous)
        {
            await next(context);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        var key = header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? store.Find(header[prefix.Length..].Trim()) : null;
        if (key is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Problems.WriteAsync(context, new ProblemException(401, "Unauthorized", "Send a valid API key as 'Authorization: Bearer <key>'.", "unauthorized"));
            return;
        }

        var allowed = ApiScopeNames.Allows(key.Scopes, scope);
        if (!allowed)
        {
            await Problems.WriteAsync(context, new ProblemException(403, "Forbidden", $"This route needs the '{ApiScopeNames.Of(scope)}' scope.", "forbidden"));
            return;
        }

        context.Items[ItemKey] = key.Name;
        await next(context);
    }
}
