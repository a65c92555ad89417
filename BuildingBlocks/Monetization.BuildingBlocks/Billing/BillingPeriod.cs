using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Monetization.BuildingBlocks.Billing;

/// <summary>
/// A calendar month in UTC, written <c>YYYY-MM</c> (the seeds' <c>month</c>/<c>period</c> parameters). Parsed once at
/// the edge; a malformed value is a 422 there, never "every period".
/// </summary>
public readonly record struct BillingPeriod : IComparable<BillingPeriod>
{
    private BillingPeriod(int year, int month)
    {
        Year = year;
        Month = month;
    }

    /// <summary>Year, 2000..9999.</summary>
    public int Year { get; }

    /// <summary>Month, 1..12.</summary>
    public int Month { get; }

    /// <summary>First instant of the period, UTC.</summary>
    public DateTimeOffset Start => new(Year, Month, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>First instant after the period (exclusive end), UTC.</summary>
    public DateTimeOffset End => Start.AddMonths(1);

    /// <summary>The period containing an instant (converted to UTC).</summary>
    public static BillingPeriod Containing(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        return new BillingPeriod(utc.Year, utc.Month);
    }

    /// <summary>Creates a period.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Year outside 2000..9999 or month outside 1..12.</exception>
    public static BillingPeriod Of(int year, int month)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(year, 2000);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(year, 9999);
        ArgumentOutOfRangeException.ThrowIfLessThan(month, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(month, 12);
        return new BillingPeriod(year, month);
    }

    /// <summary>Parses exactly <c>YYYY-MM</c> (four digits, a hyphen, two digits, month 01..12, year from 2000).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out BillingPeriod period)
    {
        period = default;
        if (text is not { Length: 7 } || text[4] != '-')
        {
            return false;
        }

        if (!int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            || year < 2000 || month is < 1 or > 12)
        {
            return false;
        }

        period = new BillingPeriod(year, month);
        return true;
    }

    /// <summary>Parses <c>YYYY-MM</c>.</summary>
    /// <exception cref="FormatException">Not of that form.</exception>
    public static BillingPeriod Parse(string text) =>
        TryParse(text, out var period) ? period : throw new FormatException($"'{text}' is not a billing period (YYYY-MM).");

    /// <summary>The following month.</summary>
    public BillingPeriod Next() => Containing(End);

    /// <summary>The preceding month.</summary>
    public BillingPeriod Previous() => Containing(Start.AddMonths(-1));

    /// <summary>True when the instant falls inside the period.</summary>
    public bool Contains(DateTimeOffset instant) => instant >= Start && instant < End;

    /// <inheritdoc />
    public int CompareTo(BillingPeriod other) => (Year * 12 + Month).CompareTo(other.Year * 12 + other.Month);

    /// <summary>Ordering by time.</summary>
    public static bool operator <(BillingPeriod left, BillingPeriod right) => left.CompareTo(right) < 0;

    /// <summary>Ordering by time.</summary>
    public static bool operator >(BillingPeriod left, BillingPeriod right) => left.CompareTo(right) > 0;

    /// <summary>Ordering by time.</summary>
    public static bool operator <=(BillingPeriod left, BillingPeriod right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering by time.</summary>
    public static bool operator >=(BillingPeriod left, BillingPeriod right) => left.CompareTo(right) >= 0;

    /// <summary><c>YYYY-MM</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-{Month:D2}");
}
