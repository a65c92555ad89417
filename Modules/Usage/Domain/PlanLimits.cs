using Microsoft.Extensions.Options;

namespace Monetization.Usage.Domain;

/// <summary>A user's effective limits; null = unlimited.</summary>
/// <param name="Plan">Plan key.</param>
/// <param name="Projects">Concurrent projects.</param>
/// <param name="Deploys">Concurrent deploys.</param>
/// <param name="ApiCalls">API calls per month.</param>
/// <param name="Tokens">Tokens per month.</param>
internal sealed record Limits(string Plan, long? Projects, long? Deploys, long? ApiCalls, long? Tokens)
{
    /// <summary>The limit of an entitlement (<c>projects</c>, <c>deploys</c>, <c>api_calls</c>, <c>tokens</c>); null = unlimited or not limited.</summary>
    public long? Of(string? entitlement) => entitlement switch
    {
        QuotaResources.Projects => Projects,
        QuotaResources.Deploys => Deploys,
        "api_calls" => ApiCalls,
        "tokens" => Tokens,
        _ => null,
    };
}

/// <summary>
/// Resolves limits: from the last applied <c>SubscriptionChanged.Entitlements</c> (null = unlimited), or, for a user
/// never seen, from <c>Usage:FreeLimits</c> (the <c>free</c> plan; issue: "a user never seen is on free").
/// </summary>
internal sealed class PlanLimits(IOptions<UsageOptions> options)
{
    /// <summary>The free plan's limits.</summary>
    public Limits Free { get; } = new("free", options.Value.FreeLimits.Projects, options.Value.FreeLimits.Deploys, options.Value.FreeLimits.ApiCalls, options.Value.FreeLimits.Tokens);

    /// <summary>The limits of an account (null or never updated by a plan change = free).</summary>
    public Limits For(UsageAccount? account) =>
        account is null || account.PlanVersion == 0
            ? Free
            : new Limits(account.Plan, account.ProjectsLimit, account.DeploysLimit, account.ApiCallsLimit, account.TokensLimit);
}

/// <summary>The soft (80 %) and hard (100 %) thresholds of a metered limit (issue: alerts, <c>X-Billing-Alert</c>).</summary>
internal static class Thresholds
{
    /// <summary>Soft threshold, percent.</summary>
    public const int Soft = 80;

    /// <summary>Hard threshold, percent.</summary>
    public const int Hard = 100;

    /// <summary>Both, ascending.</summary>
    public static readonly IReadOnlyList<int> All = [Soft, Hard];

    /// <summary>True when <paramref name="used"/> is at or above <paramref name="threshold"/> percent of <paramref name="limit"/> (and above zero).</summary>
    public static bool IsAtOrAbove(long used, long? limit, int threshold) =>
        limit is { } l && used > 0 && (decimal)used * 100 >= (decimal)l * threshold;

    /// <summary>The alert level for the usage: <c>hard</c>, <c>soft</c> or null.</summary>
    public static string? LevelOf(long used, long? limit) =>
        IsAtOrAbove(used, limit, Hard) ? "hard" : IsAtOrAbove(used, limit, Soft) ? "soft" : null;
}
