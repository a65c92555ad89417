using System.Text.RegularExpressions;

namespace Monetization.Subscriptions.Domain;

/// <summary>Rules for the product's user ids: 1–128 characters of letters, digits and <c>_ - . : @</c>.</summary>
internal static partial class UserIds
{
    public const string Rule = "must be 1-128 characters of letters, digits and _ - . : @";

    public static bool IsValid(string? userId) => userId is { Length: > 0 and <= 128 } && Pattern().IsMatch(userId);

    [GeneratedRegex("^[A-Za-z0-9_.:@-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

/// <summary>Metadata keys this module sets on Stripe objects (checkout sessions, subscriptions, customers).</summary>
internal static class MetadataKeys
{
    public const string UserId = "user_id";
    public const string Plan = "plan";
    public const string Cadence = "cadence";
    public const string Purpose = "purpose";
}
