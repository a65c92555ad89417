using System.Diagnostics;

namespace Monetization.Bench;

/// <summary>Exact latency percentiles from every recorded sample (no histogram buckets, no sampling).</summary>
internal sealed record LatencySummary(int Samples, double P50Ms, double P95Ms, double P99Ms, double MaxMs, double MeanMs)
{
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>Nearest-rank percentiles over the sorted samples (Stopwatch ticks).</summary>
    public static LatencySummary From(IReadOnlyCollection<long> stopwatchTicks)
    {
        if (stopwatchTicks.Count == 0)
        {
            return Empty;
        }

        var sorted = stopwatchTicks.ToArray();
        Array.Sort(sorted);
        return new LatencySummary(
            sorted.Length,
            ToMs(Rank(sorted, 0.50)),
            ToMs(Rank(sorted, 0.95)),
            ToMs(Rank(sorted, 0.99)),
            ToMs(sorted[^1]),
            ToMs((long)sorted.Average()));
    }

    /// <summary>Nearest rank: the smallest sample with at least <paramref name="q"/> of all samples at or below it.</summary>
    private static long Rank(long[] sorted, double q)
    {
        var index = (int)Math.Ceiling(q * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }

    public static double ToMs(long stopwatchTicks) => stopwatchTicks * 1000.0 / Stopwatch.Frequency;
}

/// <summary>What one measured phase produced: counts, wall time, latencies.</summary>
internal sealed record PhaseResult(
    string Name,
    long Requests,
    long Items,
    long Errors,
    TimeSpan Wall,
    LatencySummary Latency,
    IReadOnlyDictionary<int, long> StatusCounts,
    string? FirstError)
{
    /// <summary>Completed items (events) per second of wall time.</summary>
    public double ItemsPerSecond => Wall.TotalSeconds > 0 ? Items / Wall.TotalSeconds : 0;

    /// <summary>Completed requests per second of wall time.</summary>
    public double RequestsPerSecond => Wall.TotalSeconds > 0 ? Requests / Wall.TotalSeconds : 0;
}
