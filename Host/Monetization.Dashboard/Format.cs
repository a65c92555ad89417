using System.Globalization;

namespace Monetization.Dashboard;

/// <summary>How the dashboard writes amounts, times and counts (invariant culture, UTC).</summary>
public static class Format
{
    /// <summary>Stripe's zero-decimal currencies (https://docs.stripe.com/currencies#zero-decimal): minor unit = major unit.</summary>
    private static readonly HashSet<string> ZeroDecimal = new(StringComparer.OrdinalIgnoreCase)
    {
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
    };

    /// <summary>
    /// An amount in minor units as its currency writes it: <c>1,234.56 USD</c> (<c>1234 JPY</c> for zero-decimal
    /// currencies). Integer arithmetic only: the major part is <c>minor / 100</c> and the cents its remainder.
    /// </summary>
    public static string Money(long minor, string currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        var code = currency.ToUpperInvariant();
        if (ZeroDecimal.Contains(currency))
        {
            return minor.ToString("N0", CultureInfo.InvariantCulture) + " " + code;
        }

        var sign = minor < 0 ? "-" : "";
        var abs = Math.Abs((decimal)minor);
        var major = decimal.Truncate(abs / 100);
        var cents = (long)(abs - (major * 100));
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{major:N0}.{cents:D2} {code}");
    }

    /// <summary>A UTC instant as <c>2026-12-03 09:15 UTC</c>; an em dash when null.</summary>
    public static string Time(DateTimeOffset? instant) =>
        instant is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "—";

    /// <summary>A count with thousands separators.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Basis points as a percentage with two decimals (<c>1234</c> → <c>12.34 %</c>).</summary>
    public static string Bps(long bps) => string.Create(CultureInfo.InvariantCulture, $"{bps / 100}.{Math.Abs(bps % 100):D2} %");

    /// <summary>A duration as the largest whole unit (<c>3 s</c>, <c>5 min</c>, <c>2 h</c>, <c>4 d</c>).</summary>
    public static string Age(TimeSpan age) => age.TotalSeconds switch
    {
        < 0 => "0 s",
        < 120 => $"{(long)age.TotalSeconds} s",
        < 7200 => $"{(long)age.TotalMinutes} min",
        < 172800 => $"{(long)age.TotalHours} h",
        _ => $"{(long)age.TotalDays} d",
    };

    /// <summary>A nullable limit: <c>unlimited</c> when null.</summary>
    public static string Limit(long? limit) => limit is { } l ? Count(l) : "unlimited";
}
