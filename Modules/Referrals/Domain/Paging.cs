using System.Globalization;
using FluentValidation;

namespace Monetization.Referrals.Domain;

/// <summary>Cursor pagination of lists (<c>limit</c>, <c>starting_after</c>), as Stripe's lists do.</summary>
internal static class Paging
{
    /// <summary>Items per page when <c>limit</c> is absent.</summary>
    public const int DefaultLimit = 50;

    /// <summary>Largest <c>limit</c>.</summary>
    public const int MaxLimit = 100;

    /// <summary>The parsed limit (the default when absent; call after validation).</summary>
    public static int LimitOf(string? limit) =>
        limit is null ? DefaultLimit : int.Parse(limit, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>The rule: absent, or a whole number 1..100.</summary>
    public static IRuleBuilderOptions<T, string?> MustBeLimit<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(l => l is null
                || (int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxLimit))
            .WithMessage($"limit must be a whole number from 1 to {MaxLimit}.");
}
