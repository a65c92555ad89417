using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Monetization.Usage.Domain;

/// <summary>How a meter turns events into the used amount of a period (issue: "Meters and prices").</summary>
internal enum MeterAggregation
{
    /// <summary>Number of events (quantity is ignored).</summary>
    Count,

    /// <summary>Sum of quantities.</summary>
    Sum,

    /// <summary>Largest quantity seen.</summary>
    Max,

    /// <summary>Number of distinct values of a property.</summary>
    UniqueCount,
}

/// <summary>A configured meter.</summary>
/// <param name="Key">Meter key (<c>tokens</c>).</param>
/// <param name="Aggregation">How events aggregate.</param>
/// <param name="Dimensions">Properties kept in the rollups, sorted.</param>
/// <param name="UniqueProperty">Property counted by <see cref="MeterAggregation.UniqueCount"/>.</param>
/// <param name="Entitlement">Plan entitlement limiting the meter per month, or null.</param>
/// <param name="PricedByModel">Tokens priced per model (input and output kept apart).</param>
internal sealed record Meter(string Key, MeterAggregation Aggregation, IReadOnlyList<string> Dimensions, string? UniqueProperty, string? Entitlement, bool PricedByModel)
{
    /// <summary>The aggregation's configuration name.</summary>
    public string AggregationName => MeterCatalog.NameOf(Aggregation);
}

/// <summary>The meters of <c>Usage:Meters</c>, resolved once.</summary>
internal sealed class MeterCatalog
{
    private readonly Dictionary<string, Meter> _meters;

    public MeterCatalog(IOptions<UsageOptions> options)
    {
        _meters = options.Value.Meters.ToDictionary(
            m => m.Key,
            m => new Meter(
                m.Key,
                TryParseAggregation(m.Value.Aggregation, out var a) ? a : MeterAggregation.Sum,
                m.Value.Dimensions.Where(d => !string.IsNullOrWhiteSpace(d)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
                m.Value.UniqueProperty,
                m.Value.Entitlement,
                m.Value.PricedByModel),
            StringComparer.Ordinal);
        All = _meters.Values.OrderBy(m => m.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>Every meter, by key.</summary>
    public IReadOnlyList<Meter> All { get; }

    /// <summary>Finds a meter.</summary>
    public bool TryGet(string? key, [NotNullWhen(true)] out Meter? meter)
    {
        meter = null;
        return key is not null && _meters.TryGetValue(key, out meter);
    }

    /// <summary>The meter limited by a plan entitlement, if any.</summary>
    public Meter? ForEntitlement(string entitlement) => All.FirstOrDefault(m => m.Entitlement == entitlement);

    /// <summary>A meter key: 1..64 of lowercase letters, digits, underscores.</summary>
    public static bool IsValidKey(string key) =>
        key.Length is > 0 and <= 64 && key.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

    /// <summary>Parses <c>count</c>, <c>sum</c>, <c>max</c>, <c>unique_count</c>.</summary>
    public static bool TryParseAggregation(string? text, out MeterAggregation aggregation)
    {
        (var ok, aggregation) = text switch
        {
            "count" => (true, MeterAggregation.Count),
            "sum" => (true, MeterAggregation.Sum),
            "max" => (true, MeterAggregation.Max),
            "unique_count" => (true, MeterAggregation.UniqueCount),
            _ => (false, MeterAggregation.Sum),
        };
        return ok;
    }

    /// <summary>The configuration name of an aggregation.</summary>
    public static string NameOf(MeterAggregation aggregation) => aggregation switch
    {
        MeterAggregation.Count => "count",
        MeterAggregation.Sum => "sum",
        MeterAggregation.Max => "max",
        _ => "unique_count",
    };
}
