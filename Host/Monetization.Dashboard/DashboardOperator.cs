using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Monetization.BuildingBlocks.Http;

namespace Monetization.Dashboard;

/// <summary>
/// The operator signed in to the dashboard: the API key they signed in with (by its configured name) and whether it may act
/// (<c>admin</c> scope) or only see (<c>read</c>). The sign-in cookie (ASP.NET Core cookie authentication: encrypted and signed
/// with the Host's data-protection keys; HttpOnly, SameSite=Strict, Secure outside Development) holds the SHA-256 of the key,
/// never the key; every request finds that hash again among the configured keys, so removing a key from configuration signs
/// its sessions out at once and a key's scopes are always the current ones.
/// </summary>
/// <param name="KeyName">The API key's configured name (<c>admin</c> for <c>Auth:AdminApiKey</c>).</param>
/// <param name="CanAct">True with the <c>admin</c> scope: the forms that change something are shown and accepted.</param>
public sealed record DashboardOperator(string KeyName, bool CanAct)
{
    /// <summary>The cookie authentication scheme of the dashboard.</summary>
    public const string Scheme = "MonetizationDashboard";

    /// <summary>The sign-in cookie's name.</summary>
    public const string CookieName = "monetization_dashboard";

    private const string KeyHashClaim = "api_key_sha256";

    /// <summary>The operator of this request, or null when not signed in (or signed in with a key no longer configured).</summary>
    public static async Task<DashboardOperator?> CurrentAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = await context.AuthenticateAsync(Scheme);
        if (!result.Succeeded || result.Principal.FindFirst(KeyHashClaim)?.Value is not { Length: 64 } hex)
        {
            return null;
        }

        var hash = Convert.FromHexString(hex);
        var store = context.RequestServices.GetRequiredService<ApiKeyStore>();
        ApiKey? match = null;
        foreach (var key in store.Keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, key.Sha256))
            {
                match = key;
            }
        }

        return match is null ? null : From(match);
    }

    /// <summary>Signs in with a presented API key; null (and no cookie) when the key is not one the Host accepts.</summary>
    public static async Task<DashboardOperator?> SignInAsync(HttpContext context, string presentedKey)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = string.IsNullOrWhiteSpace(presentedKey) ? null : context.RequestServices.GetRequiredService<ApiKeyStore>().Find(presentedKey.Trim());
        if (key is null)
        {
            return null;
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, key.Name), new Claim(KeyHashClaim, Convert.ToHexStringLower(key.Sha256))], Scheme);
        await context.SignInAsync(Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = false });
        return From(key);
    }

    /// <summary>Removes the sign-in cookie.</summary>
    public static Task SignOutAsync(HttpContext context) => context.SignOutAsync(Scheme);

    internal static void ConfigureCookie(CookieAuthenticationOptions options, bool development)
    {
        options.Cookie.Name = CookieName;
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Strict;
        options.Cookie.SecurePolicy = development ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        options.Cookie.Path = "/";
        options.ExpireTimeSpan = TimeSpan.FromHours(8);
        options.SlidingExpiration = true;
    }

    private static DashboardOperator From(ApiKey key) => new(key.Name, key.Scopes.Contains("admin"));
}
