using System.Diagnostics;

namespace Monetization.Bench.Scenarios;

/// <summary>
/// Start-up time (issue 8): process start (`dotnet Monetization.Host.dll`) to the first 200 of <c>/health/ready</c>
/// (every module's database reachable and migrated), polled every 5 ms. Several runs on a fresh data directory (creates
/// and migrates every SQLite file), then several on the now existing one. Baseline: the same measurement of a bare
/// Kestrel app with one route, started the same way (`dotnet Monetization.Bench.dll baseline-server`).
/// </summary>
internal static class StartupTime
{
    public static async Task<ScenarioResult> RunAsync(BenchSettings settings, CancellationToken ct)
    {
        var result = new ScenarioResult("startup");
        var fresh = new List<long>();
        var existing = new List<long>();
        var baseline = new List<long>();
        long peak = 0;
        string? lastDirectory = null;
        var directories = new List<string>();
        try
        {
            for (var run = 0; run < settings.StartupRuns; run++)
            {
                var data = HostProcess.NewDataDirectory("startup");
                directories.Add(data);
                await using var host = await HostProcess.StartAsync(settings, data, null, ct);
                fresh.Add(Ticks(host.TimeToReady));
                await host.StopAsync();
                peak = Math.Max(peak, host.PeakMemoryBytes);
                lastDirectory = data;
            }

            for (var run = 0; run < settings.StartupRuns; run++)
            {
                await using var host = await HostProcess.StartAsync(settings, lastDirectory!, null, ct);
                existing.Add(Ticks(host.TimeToReady));
                await host.StopAsync();
                peak = Math.Max(peak, host.PeakMemoryBytes);
            }

            for (var run = 0; run < settings.StartupRuns; run++)
            {
                await using var bare = await HostProcess.StartBareServerAsync(ct);
                baseline.Add(Ticks(bare.TimeToReady));
                await bare.StopAsync();
            }
        }
        finally
        {
            if (!settings.KeepData)
            {
                directories.ForEach(HostProcess.DeleteDirectory);
            }
        }

        var freshStats = Phase("Host start → ready, fresh data directory", fresh);
        var existingStats = Phase("Host start → ready, existing data directory", existing);
        var baselineStats = Phase("baseline: bare Kestrel start → ready", baseline);
        result.Phases.AddRange([freshStats, existingStats, baselineStats]);
        result.HostPeakMemoryBytes = peak;
        result.Metric("fresh p50 ms", freshStats.Latency.P50Ms);
        result.Metric("fresh max ms", freshStats.Latency.MaxMs);
        result.Metric("existing p50 ms", existingStats.Latency.P50Ms);
        result.Metric("existing max ms", existingStats.Latency.MaxMs);
        result.Metric("baseline p50 ms", baselineStats.Latency.P50Ms);
        result.Ratio = baselineStats.Latency.P50Ms / freshStats.Latency.P50Ms;
        result.RatioMeaning = "bare Kestrel p50 ÷ Host fresh p50: 1.0 would be as fast as an empty app";
        result.Notes.Add("The issue sets no start-up target; p50 and max are reported. 'items/s' is meaningless here; the latency columns are the start-up times.");
        return result;
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static PhaseResult Phase(string name, List<long> samples) =>
        new(name, samples.Count, samples.Count, 0, TimeSpan.FromSeconds(samples.Sum() / (double)Stopwatch.Frequency), LatencySummary.From(samples), new Dictionary<int, long> { [200] = samples.Count }, null);
}
