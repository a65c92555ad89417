using System.Collections.Concurrent;
using System.Security.Cryptography;
using Monetization.Bench.Baselines;
using Monetization.Bench.Payloads;

namespace Monetization.Bench.Scenarios;

/// <summary>
/// Usage ingestion (Usage issue): 4 concurrent clients post batches of 1,000 events to <c>POST /v1/usage/events</c>,
/// 10 % of each batch being duplicates of events already sent (of the previous batch, which may still be in flight on
/// another client, or of the batch itself for the first one). 100 users, meters <c>api_calls</c> and <c>tokens</c>.
/// Throughput counts every event posted in accepted batches (duplicates included, since the Host has to recognise them).
/// After the run every user's <c>GET /v1/usage/{user}/consumption?month=</c> must equal the distinct events sent.
/// Baseline: <see cref="BatchInsertBaseline"/> on the same batches.
/// </summary>
internal static class UsageIngestion
{
    private const int Users = 100;

    /// <summary>
    /// Warm-up, by time: perf showed the JIT (8–24 % of the Host's CPU) and the runtime's own start-up work (another
    /// 11–24 %) busy for the first ~8 s of ingestion and near zero from ~9 s (docs/performance.md), so a fixed 200 batches
    /// (1.5 s) left the whole default timed phase (3–4 s) inside the warm-up. The baseline inserts as many batches first.
    /// </summary>
    private const int WarmupSeconds = 12;

    /// <summary>Upper bound of warm-up batches (bodies are made as they are sent).</summary>
    private const int MaxWarmupBatches = 20_000;

    public static async Task<ScenarioResult> RunAsync(BenchSettings settings, CancellationToken ct)
    {
        var result = new ScenarioResult("usage-ingestion");
        var tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var (from, to) = UsageWorkload.ThisMonthSoFar();
        var workload = new UsageWorkload(tag, i => $"user_usage_{i % Users:D3}", from, to);
        var batchSize = settings.BatchSize;
        var fresh = batchSize - batchSize / 10;
        var batches = Math.Max(1, settings.UsageEvents / batchSize);

        // Batch k: `fresh` new events k*fresh.., then every 10th position holds a duplicate of batch k-1 (or of batch k itself for k = 0).
        long[] Indices(long k)
        {
            var list = new long[batchSize];
            var baseIndex = k * fresh;
            var previous = k == 0 ? 0 : (k - 1) * fresh;
            int f = 0, d = 0;
            for (var p = 0; p < batchSize; p++)
            {
                list[p] = p % 10 == 9 && d < batchSize - fresh ? previous + (d++ * 9 % fresh) : baseIndex + f++;
            }

            return list;
        }

        long warmupBatches = 1;
        var data = HostProcess.NewDataDirectory("usage");
        try
        {
            await using (var host = await HostProcess.StartAsync(settings, data, null, ct))
            {
                using var http = LoadDriver.CreateClient(host.BaseAddress, settings.UsageClients, HostProcess.AdminKey);
                var accepted = new ConcurrentBag<long>();
                var probe = await UsageApi.PostBatchAsync(http, workload.Body(Indices(0)), batchSize, ct);
                if (probe.Status is 404 or 405)
                {
                    result.Skipped = $"route not available: POST {UsageApi.IngestRoute} answered {probe.Status}; only the baseline was measured";
                }
                else
                {
                    if (probe.Succeeded)
                    {
                        accepted.Add(0);
                    }

                    var warmup = await new LoadDriver(settings.UsageClients, MaxWarmupBatches, TimeSpan.FromSeconds(WarmupSeconds))
                        .RunAsync("warm-up", (i, c) => Post(http, workload.Body(Indices(i + 1)), i + 1, batchSize, accepted, c), ct);
                    warmupBatches = 1 + warmup.Requests;
                    var bodies = new byte[batches][];
                    for (long k = 0; k < batches; k++)
                    {
                        bodies[k] = workload.Body(Indices(warmupBatches + k));
                    }

                    var cpuBefore = host.CpuTime;
                    var phase = await new LoadDriver(settings.UsageClients, batches, TimeSpan.FromSeconds(settings.Seconds))
                        .RunAsync($"Host POST {UsageApi.IngestRoute} ({settings.UsageClients} clients × {batchSize})",
                            (i, c) => Post(http, bodies[i], warmupBatches + i, batchSize, accepted, c), ct);
                    result.Notes.Add($"warm-up: {warmupBatches} batches in {warmup.Wall.TotalSeconds:0.0} s before timing (the baseline inserts as many first)");
                    result.Phases.Add(phase);
                    if (phase.Items > 0)
                    {
                        result.Metric("Host CPU µs per event (user + system, timed phase)", (host.CpuTime - cpuBefore).TotalMicroseconds / phase.Items, "0.0");
                    }
                    result.Metric("Host distinct events/s", phase.ItemsPerSecond * fresh / batchSize, "0");

                    var distinct = accepted.SelectMany(k => Indices(k)).Distinct().ToList();
                    var expected = workload.Totals(distinct);
                    var users = Enumerable.Range(0, Users).Select(u => $"user_usage_{u:D3}");
                    var (mismatches, shapeKnown, sample) = await UsageApi.VerifyTotalsAsync(http, workload, expected, users, TimeSpan.FromSeconds(60), ct);
                    result.Check("rollups exact after the run (sent minus duplicates)", mismatches.Count == 0 && distinct.Count > 0,
                        mismatches.Count == 0 ? (distinct.Count > 0 ? $"{Users} users × 2 meters equal, {distinct.Count} distinct events" : "no batch was accepted, nothing to compare") : $"{mismatches.Count} mismatches, first: {mismatches[0]}");
                    if (!shapeKnown)
                    {
                        result.Notes.Add("consumption answer not understood; first answer: " + sample);
                    }

                    result.HostPeakMemoryBytes = host.PeakMemoryBytes;
                    await host.StopAsync();
                    result.HostPeakMemoryBytes = host.PeakMemoryBytes;
                }
            }

            await using (var baseline = await BatchInsertBaseline.OpenAsync(data, ct))
            {
                for (long k = 0; k < warmupBatches; k++)
                {
                    baseline.InsertBatch(workload, Indices(k));
                }

                var phase = await new LoadDriver(1, batches, TimeSpan.FromSeconds(settings.Seconds))
                    .RunAsync($"baseline: prepared insert, 1 tx/{batchSize} rows", (i, _) =>
                    {
                        baseline.InsertBatch(workload, Indices(warmupBatches + i));
                        return Task.FromResult(new Outcome(200, batchSize));
                    }, ct);
                result.Phases.Add(phase);
            }
        }
        finally
        {
            if (!settings.KeepData)
            {
                HostProcess.DeleteDirectory(data);
            }
        }

        if (result.Skipped is not null)
        {
            return result;
        }

        var hostPhase = result.Phases[0];
        var basePhase = result.Phases[1];
        result.Ratio = hostPhase.ItemsPerSecond / basePhase.ItemsPerSecond;
        result.RatioMeaning = "Host events/s ÷ raw prepared batched insert events/s";
        result.Check("≥ 50,000 events/s", hostPhase.ItemsPerSecond >= 50_000 && hostPhase.Errors == 0, $"{hostPhase.ItemsPerSecond:0} events/s, {hostPhase.Errors} failed batches");
        result.Check("≥ 0.5 of the raw batched insert", result.Ratio >= 0.5, $"{result.Ratio:0.000} ({hostPhase.ItemsPerSecond:0} vs {basePhase.ItemsPerSecond:0} events/s)");
        result.Check("Host peak memory < 400 MB", result.HostPeakMemoryBytes < 400L * 1024 * 1024, $"{result.HostPeakMemoryBytes / (1024.0 * 1024.0):0.0} MB");
        return result;
    }

    private static async Task<Outcome> Post(HttpClient http, byte[] body, long k, int events, ConcurrentBag<long> accepted, CancellationToken ct)
    {
        var outcome = await UsageApi.PostBatchAsync(http, body, events, ct);
        if (outcome.Succeeded)
        {
            accepted.Add(k);
        }

        return outcome;
    }
}
