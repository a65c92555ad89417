using System.Globalization;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace Monetization.BuildingBlocks.Http;

/// <summary>
/// The one paging convention of every list route (issue 20), Stripe's: <c>limit</c> (a whole number 1–100, default 20) and
/// <c>starting_after</c> (the id of the last item of the previous page); the answer carries <c>data</c> (the page, in the
/// route's order) and <c>has_more</c> (whether items follow the last one). A page is read with one extra row
/// (<see cref="ToPageAsync{T}"/>), so <c>has_more</c> costs no count. An unknown cursor is a 422 naming
/// <c>starting_after</c> (<see cref="UnknownCursor"/>); a malformed <c>limit</c> a 422 naming <c>limit</c>.
/// </summary>
public static class Paging
{
    /// <summary>Items per page when <c>limit</c> is absent.</summary>
    public const int DefaultLimit = 20;

    /// <summary>Largest <c>limit</c>.</summary>
    public const int MaxLimit = 100;

    /// <summary>Longest <c>starting_after</c> accepted (ids are far shorter).</summary>
    public const int MaxCursorLength = 200;

    /// <summary>The two query parameters, for a route's OpenAPI declaration.</summary>
    /// <param name="cursorOf">What <c>starting_after</c> names (<c>plugin id</c>, <c>event id</c>).</param>
    public static ApiParameter[] QueryParameters(string cursorOf) =>
    [
        new("limit", $"Items per page, 1-{MaxLimit}, default {DefaultLimit}"),
        new("starting_after", $"The {cursorOf} of the last item of the previous page"),
    ];

    /// <summary>True when <paramref name="limit"/> is absent or a whole number 1..100.</summary>
    public static bool IsValidLimit(string? limit) =>
        limit is null || (int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxLimit);

    /// <summary>The parsed limit (the default when absent; call after validation).</summary>
    /// <exception cref="ProblemException">422 naming <c>limit</c> when it is not a whole number 1..100.</exception>
    public static int LimitOf(string? limit) =>
        limit is null ? DefaultLimit
        : IsValidLimit(limit) ? int.Parse(limit, NumberStyles.None, CultureInfo.InvariantCulture)
        : throw ProblemException.Invalid("limit", LimitMessage);

    /// <summary>The validation rule of <c>limit</c>: absent, or a whole number 1..100.</summary>
    public static IRuleBuilderOptions<T, string?> MustBeLimit<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(IsValidLimit).WithMessage(LimitMessage);

    /// <summary>The validation rule of <c>starting_after</c>: absent, or 1..200 characters.</summary>
    public static IRuleBuilderOptions<T, string?> MustBeCursor<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(c => c is null || (c.Length is > 0 and <= MaxCursorLength))
            .WithMessage($"starting_after must be the id of an item of the previous page (1-{MaxCursorLength} characters).");

    /// <summary>The 422 for a <c>starting_after</c> that names no item of this list.</summary>
    /// <param name="what">What the list holds (<c>Plugin</c>, <c>Payout</c>).</param>
    /// <param name="id">The cursor sent.</param>
    public static ProblemException UnknownCursor(string what, string id) =>
        ProblemException.Invalid("starting_after", $"{what} '{id}' is not in this list.", "unknown_cursor");

    /// <summary>A page from rows read with <c>Take(limit + 1)</c>: the first <paramref name="limit"/>, and whether more follow.</summary>
    public static Page<T> ToPage<T>(this IReadOnlyList<T> rows, int limit)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new Page<T>(rows.Count > limit ? rows.Take(limit).ToList() : rows, rows.Count > limit);
    }

    /// <summary>Reads one page of an ordered, cursor-filtered query (one extra row decides <c>has_more</c>).</summary>
    public static async Task<Page<T>> ToPageAsync<T>(this IQueryable<T> ordered, int limit, CancellationToken ct) =>
        (await ordered.Take(limit + 1).ToListAsync(ct)).ToPage(limit);

    /// <summary>The same page with its items mapped.</summary>
    public static Page<TOut> Select<TIn, TOut>(this Page<TIn> page, Func<TIn, TOut> map)
    {
        ArgumentNullException.ThrowIfNull(page);
        return new Page<TOut>(page.Data.Select(map).ToList(), page.HasMore);
    }

    private const string LimitMessage = "limit must be a whole number from 1 to 100.";
}

/// <summary>A page of a list: <c>{object: "list", data, has_more}</c> (Stripe's list shape).</summary>
/// <typeparam name="T">Item type.</typeparam>
/// <param name="Data">The items of this page, in the list's order.</param>
/// <param name="HasMore">Whether items follow the last one (pass its id as <c>starting_after</c>).</param>
public sealed record Page<T>(IReadOnlyList<T> Data, bool HasMore)
{
    /// <summary>Always <c>list</c>.</summary>
    public string Object => "list";
}
