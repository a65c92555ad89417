using System.Globalization;

namespace Monetization.Usage.Domain;

/// <summary>
/// The <c>from</c> / <c>to</c> query values of the usage reads (issue 20): an ISO 8601 instant (read as UTC without an
/// offset), a day <c>YYYY-MM-DD</c> or a month <c>YYYY-MM</c>. <c>from</c> is inclusive (a day or month starts at its
/// first instant); <c>to</c> is exclusive for an instant and inclusive for a day or month (it ends after its last day).
/// </summary>
internal static class TimeRange
{
    /// <summary>True when <paramref name="text"/> is absent or readable.</summary>
    public static bool IsValid(string? text) => text is null || TryParse(text, isEnd: false, out _);

    /// <summary>The instant <paramref name="text"/> stands for, as a start (<paramref name="isEnd"/> false) or an exclusive end.</summary>
    public static bool TryParse(string text, bool isEnd, out DateTimeOffset instant)
    {
        if (text.Length == 7 && DateTime.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var month))
        {
            instant = new DateTimeOffset(DateTime.SpecifyKind(month, DateTimeKind.Utc));
            instant = isEnd ? instant.AddMonths(1) : instant;
            return true;
        }

        if (text.Length == 10 && DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var day))
        {
            instant = new DateTimeOffset(DateTime.SpecifyKind(day, DateTimeKind.Utc));
            instant = isEnd ? instant.AddDays(1) : instant;
            return true;
        }

        if (text.Length > 10 && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant))
        {
            return true;
        }

        instant = default;
        return false;
    }

    /// <summary>The parsed value (call after validation); <paramref name="fallback"/> when absent.</summary>
    public static DateTimeOffset Parse(string? text, bool isEnd, DateTimeOffset fallback) =>
        text is null ? fallback : TryParse(text, isEnd, out var instant) ? instant : throw new FormatException($"'{text}' is not a time.");

    /// <summary>The validation message.</summary>
    public const string Message = "is an ISO 8601 time (UTC), a day YYYY-MM-DD or a month YYYY-MM.";
}
