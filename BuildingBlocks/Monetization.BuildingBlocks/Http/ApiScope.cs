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
}

/// <summary>Endpoint metadata: the scope a route needs. Routes without it need <see cref="ApiScope.Admin"/>.</summary>
/// <param name="Scope">The scope.</param>
public sealed record ApiScopeMetadata(ApiScope Scope);
