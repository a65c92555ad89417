using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Monetization.Bench.Payloads;

namespace Monetization.Bench.Scenarios;

/// <summary>
/// Module-to-module throughput (issue 22): signed plugin-purchase webhooks (<c>checkout.session.completed</c>, payment mode,
/// <c>metadata.purpose=marketplace.plugin</c>) offered at <c>--outbox-rate</c> events/s (default 2,000) for
/// <c>--outbox-events</c> events (default 20,000). Each one is stored by Subscriptions with a <c>CheckoutCompleted</c> row in
/// its outbox, published by its dispatcher and recorded by Marketplace's <c>RecordPluginPurchase</c> as a revenue event.
/// The lag of each event is measured from the Host's own records after the run: the outbox row's <c>OccurredAt</c>
/// (stamped in the transaction that commits it) to the consumer's inbox row <c>ProcessedAt</c> (stamped in the
/// transaction that commits the revenue event), both UTC ticks. Throughput = events recorded ÷ (last consumer record − first
/// outbox row). The dispatcher's claim, publish and mark steps come from the Host's own
/// <c>monetization.outbox.step.duration</c> histogram (Prometheus exposition, <c>Telemetry__Prometheus=true</c>).
/// Then a backlog drain: as many purchases accepted with the dispatcher off (<c>Outbox__AutoStart=false</c>), and the Host
/// restarted with it on; events ÷ (Host start → last consumer record) is the outbox path's own rate, with no intake sharing
/// the two cores. Last, a synthetic event type written straight into an outbox at the same rate (OutboxThroughput.Synthetic.cs).
/// </summary>
internal static partial class OutboxThroughput
{
    private const string DeveloperId = "dev_outbox_bench";
    private const long Price = 1_500;
    private const int Clients = 16;
    /// <summary>
    /// Seconds of purchases at the offered rate before the timed phase. As in <see cref="WebhookIntake"/>, long enough for
    /// the runtime's tiered JIT to finish recompiling the path, so the timed phase measures a running Host's steady state:
    /// with a warm-up of 3,000 purchases (1.5 s) perf put 27 % of the Host's samples in the timed phase on the tiered
    /// compilation thread (docs/performance.md, seventeenth session).
    /// </summary>
    private const int WarmupSeconds = 20;
    private const string PublishedType = "subscriptions.checkout_completed";
    private const string ConsumerSuffix = "RecordPluginPurchase";

    public static async Task<ScenarioResult> RunAsync(BenchSettings settings, CancellationToken ct)
    {
        var result = new ScenarioResult("outbox-throughput");
        var secret = "whsec_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var environment = new Dictionary<string, string> { ["Stripe__WebhookSecrets__0"] = secret, ["Telemetry__Prometheus"] = "true" };
        var period = DateTimeOffset.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var earningsRoute = $"/v1/marketplace/developers/{DeveloperId}/earnings?period={period}";
        var data = HostProcess.NewDataDirectory("outbox");
        long timedFromTicks;
        long accepted;
        long warmupItems;
        try
        {
            await using (var host = await HostProcess.StartAsync(settings, data, environment, ct))
            {
                using var admin = LoadDriver.CreateClient(host.BaseAddress, 4, HostProcess.AdminKey);
                var pluginId = await MarketplaceApi.PublishOneTimePluginAsync(admin, DeveloperId, "outbox-bench-plugin", "outbox", Price, ct)
                    ?? throw new InvalidOperationException("POST /v1/marketplace/developers is not available");
                using var hooks = LoadDriver.CreateClient(host.BaseAddress, Clients);

                // Warm-up: the same path at the offered rate, until the Marketplace has recorded all of it.
                var interval = TimeSpan.FromSeconds(1.0 / settings.OutboxRate);
                var warmup = await SendAsync(hooks, secret, tag + "w", pluginId, (long)settings.OutboxRate * WarmupSeconds, interval, settings, "warm-up", ct);
                warmupItems = warmup.Items;
                await WaitRecordedAsync(admin, earningsRoute, warmup.Items, TimeSpan.FromSeconds(120), ct);

                var metricsBefore = await ScrapeStepsAsync(admin, ct);
                timedFromTicks = DateTimeOffset.UtcNow.UtcTicks;
                var cpuBefore = host.CpuTime;
                var phase = await SendAsync(hooks, secret, tag, pluginId, settings.OutboxEvents, interval, settings,
                    $"Host POST /v1/webhooks/stripe at {settings.OutboxRate:N0}/s offered ({Clients} clients)", ct);
                result.Phases.Add(phase);
                accepted = phase.Items;
                var recorded = await WaitRecordedAsync(admin, earningsRoute, warmup.Items + accepted, TimeSpan.FromSeconds(Math.Max(60, settings.Seconds)), ct);
                result.Metric("Host CPU µs per event end to end (intake, outbox, consumers)", (host.CpuTime - cpuBefore).TotalMicroseconds / Math.Max(1, accepted), "0");
                result.Metric("revenue events recorded (warm-up included)", recorded, "0");
                var metricsAfter = await ScrapeStepsAsync(admin, ct);
                foreach (var line in DescribeSteps(metricsBefore, metricsAfter))
                {
                    result.Notes.Add(line);
                }

                await host.StopAsync();
                result.HostPeakMemoryBytes = host.PeakMemoryBytes;
            }

            // The backlog drain: purchases accepted while no dispatcher runs (Outbox__AutoStart=false), then a restart with the
            // dispatcher on; its rate is the outbox path's own capacity, without the intake sharing the machine.
            long backlog;
            long drainFromTicks;
            await using (var host = await HostProcess.StartAsync(settings, data, new Dictionary<string, string>(environment) { ["Outbox__AutoStart"] = "false" }, ct))
            {
                using var hooks = LoadDriver.CreateClient(host.BaseAddress, Clients);
                using var admin = LoadDriver.CreateClient(host.BaseAddress, 1, HostProcess.AdminKey);
                var pluginId = await PluginIdAsync(admin, ct);
                var load = await SendAsync(hooks, secret, tag + "d", pluginId, settings.OutboxEvents, null, settings, "load: backlog while the dispatcher is off", ct);
                result.Phases.Add(load);
                backlog = load.Items;
                await host.StopAsync();
            }

            await using (var host = await HostProcess.StartAsync(settings, data, environment, ct))
            {
                drainFromTicks = DateTimeOffset.UtcNow.UtcTicks - host.TimeToReady.Ticks;
                using var admin = LoadDriver.CreateClient(host.BaseAddress, 1, HostProcess.AdminKey);
                await WaitRecordedAsync(admin, earningsRoute, warmupItems + accepted + backlog, TimeSpan.FromSeconds(60), ct);
                await host.StopAsync();
            }

            var drained = ReadLags(data, "subscriptions.db", PublishedType, "\"" + $"cs_test_ob{tag}d", "marketplace.db", ConsumerSuffix, timedFromTicks, out _, out var lastDrained, out _);
            var drainSeconds = (lastDrained - drainFromTicks) / (double)TimeSpan.TicksPerSecond;
            var drainRate = drainSeconds > 0 ? drained.Count / drainSeconds : 0;
            result.Metric("backlog drain events/s (Host start → last consumer record)", drainRate, "0");

            var lags = ReadLags(data, "subscriptions.db", PublishedType, "\"" + $"cs_test_ob{tag}0", "marketplace.db", ConsumerSuffix, timedFromTicks, out var firstOccurred, out var lastProcessed, out var published);
            var seconds = (lastProcessed - firstOccurred) / (double)TimeSpan.TicksPerSecond;
            var throughput = seconds > 0 ? lags.Count / seconds : 0;
            var lag = LatencySummary.From(lags.Select(l => l * System.Diagnostics.Stopwatch.Frequency / TimeSpan.TicksPerSecond).ToArray());
            result.Phases.Add(new PhaseResult("outbox: CheckoutCompleted commit → RecordPluginPurchase commit", published, lags.Count,
                published - lags.Count, TimeSpan.FromSeconds(seconds), lag, new Dictionary<int, long>(), null));
            result.Metric("end-to-end events/s (first outbox row → last consumer record)", throughput, "0");
            result.Check($"sustains {settings.OutboxRate:N0} events/s offered end to end (≥ 99 %, every purchase recorded)", throughput >= 0.99 * settings.OutboxRate && lags.Count == accepted,
                $"{throughput:0} events/s, {lags.Count:N0} of {accepted:N0} accepted purchases recorded");
            result.Check("≥ 2,000 events/s through the outbox (backlog drain)", drainRate >= 2_000 && drained.Count == backlog,
                $"{drainRate:0} events/s, {drained.Count:N0} of {backlog:N0} recorded");
            result.Check("p99 lag < 1 s (outbox commit → consumer commit)", lag.P99Ms < 1_000 && lags.Count > 0,
                $"p50 {lag.P50Ms:0.0} ms, p99 {lag.P99Ms:0.0} ms, max {lag.MaxMs:0.0} ms over {lags.Count:N0} events");

            await RunSyntheticAsync(settings, result, ct);
        }
        finally
        {
            if (!settings.KeepData)
            {
                HostProcess.DeleteDirectory(data);
            }
        }

        return result;
    }

    private static async Task<string> PluginIdAsync(HttpClient admin, CancellationToken ct)
    {
        var json = JsonNode.Parse(await admin.GetStringAsync(new Uri($"/v1/marketplace/developers/{DeveloperId}/earnings", UriKind.Relative), ct));
        return (string?)json?["plugins"]?.AsArray().FirstOrDefault()?["plugin_id"] ?? throw new InvalidOperationException("the bench plugin is not in the earnings answer: " + json);
    }

    /// <summary>Posts <paramref name="count"/> signed purchases (bodies and signatures made before the phase).</summary>
    private static Task<PhaseResult> SendAsync(HttpClient hooks, string secret, string tag, string pluginId, long count, TimeSpan? interval,
        BenchSettings settings, string name, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var bodies = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            bodies[i] = StripeEvents.PluginCheckoutCompleted($"evt_ob{tag}{i:D9}", $"cs_test_ob{tag}{i:D9}", pluginId, null, $"user_ob_{i % 5000:D4}", Price, now);
        }

        var signatures = WebhookIntake.Sign(bodies, secret);
        return new LoadDriver(Clients, count, TimeSpan.FromSeconds(Math.Max(settings.Seconds, 2.0 * count / settings.OutboxRate))) { Interval = interval }
            .RunAsync(name, (i, c) => WebhookIntake.PostAsync(hooks, WebhookIntake.Route, bodies[i], signatures[i], c), ct);
    }

    /// <summary>Polls the earnings answer until it counts <paramref name="expected"/> events or makes no progress for <paramref name="stall"/>.</summary>
    private static async Task<long> WaitRecordedAsync(HttpClient admin, string route, long expected, TimeSpan stall, CancellationToken ct)
    {
        long seen = 0;
        var lastProgress = System.Diagnostics.Stopwatch.GetTimestamp();
        while (System.Diagnostics.Stopwatch.GetElapsedTime(lastProgress) < stall)
        {
            var now = await MarketplaceApi.RevenueEventsAsync(admin, route, ct);
            if (now != seen)
            {
                seen = now;
                lastProgress = System.Diagnostics.Stopwatch.GetTimestamp();
            }

            if (seen >= expected)
            {
                break;
            }

            await Task.Delay(100, ct);
        }

        return seen;
    }

    /// <summary>
    /// Lags (UTC ticks) of one phase's events: the outbox rows of <paramref name="type"/> in <paramref name="publisherDatabase"/>
    /// that occurred at or after <paramref name="fromTicks"/> (and whose payload contains <paramref name="payloadContains"/>,
    /// when given), joined by event id to the inbox rows of the consumer whose name ends with <paramref name="consumerSuffix"/>
    /// in <paramref name="consumerDatabase"/>.
    /// </summary>
    private static List<long> ReadLags(string data, string publisherDatabase, string type, string? payloadContains, string consumerDatabase, string consumerSuffix,
        long fromTicks, out long firstOccurred, out long lastProcessed, out long published)
    {
        var occurred = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        using (var outbox = new SqliteConnection($"Data Source={Path.Combine(data, publisherDatabase)};Mode=ReadOnly;Pooling=False"))
        {
            outbox.Open();
            using var command = outbox.CreateCommand();
            command.CommandText = "SELECT EventId, OccurredAt FROM OutboxMessages WHERE Type = $type AND OccurredAt >= $from AND Payload LIKE $payload";
            command.Parameters.AddWithValue("$type", type);
            command.Parameters.AddWithValue("$from", fromTicks);
            command.Parameters.AddWithValue("$payload", payloadContains is null ? "%" : "%" + payloadContains + "%");
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                occurred[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        published = occurred.Count;
        firstOccurred = occurred.Count > 0 ? occurred.Values.Min() : 0;
        lastProcessed = firstOccurred;
        var lags = new List<long>(occurred.Count);
        using var inbox = new SqliteConnection($"Data Source={Path.Combine(data, consumerDatabase)};Mode=ReadOnly;Pooling=False");
        inbox.Open();
        using var rows = inbox.CreateCommand();
        rows.CommandText = "SELECT EventId, ProcessedAt FROM InboxMessages WHERE Consumer LIKE $consumer";
        rows.Parameters.AddWithValue("$consumer", "%" + consumerSuffix);
        using var read = rows.ExecuteReader();
        while (read.Read())
        {
            if (occurred.TryGetValue(read.GetString(0), out var at))
            {
                var processed = read.GetInt64(1);
                lags.Add(processed - at);
                lastProcessed = Math.Max(lastProcessed, processed);
            }
        }

        return lags;
    }

    /// <summary>The Host's <c>monetization_outbox_step_duration_seconds</c> sums and counts by (module, step).</summary>
    private static async Task<Dictionary<(string Module, string Step), (double Sum, long Count)>> ScrapeStepsAsync(HttpClient admin, CancellationToken ct)
    {
        var steps = new Dictionary<(string, string), (double, long)>();
        using var response = await admin.GetAsync(new Uri("/metrics", UriKind.Relative), ct);
        if (!response.IsSuccessStatusCode)
        {
            return steps;
        }

        foreach (var line in (await response.Content.ReadAsStringAsync(ct)).Split('\n'))
        {
            var match = StepLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var labels = match.Groups["labels"].Value;
            var module = Label(labels, "module");
            var step = Label(labels, "step");
            if (module is null || step is null)
            {
                continue;
            }

            var value = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            var key = (module, step);
            var (sum, count) = steps.GetValueOrDefault(key);
            steps[key] = match.Groups["kind"].Value == "sum" ? (value, count) : (sum, (long)value);
        }

        return steps;
    }

    private static IEnumerable<string> DescribeSteps(Dictionary<(string Module, string Step), (double Sum, long Count)> before, Dictionary<(string Module, string Step), (double Sum, long Count)> after)
    {
        if (after.Count == 0)
        {
            yield return "the Host's /metrics did not expose monetization_outbox_step_duration_seconds: steps not reported.";
            yield break;
        }

        foreach (var ((module, step), (sum, count)) in after.OrderBy(p => p.Key.Module, StringComparer.Ordinal).ThenBy(p => p.Key.Step, StringComparer.Ordinal))
        {
            var (sum0, count0) = before.GetValueOrDefault((module, step));
            var n = count - count0;
            if (n > 0)
            {
                yield return $"outbox step {module}/{step} (timed phase): {n:N0} × mean {(sum - sum0) * 1000 / n:0.000} ms, total {(sum - sum0) * 1000:0} ms";
            }
        }
    }

    private static string? Label(string labels, string name)
    {
        var match = Regex.Match(labels, name + "=\"(?<v>[^\"]*)\"");
        return match.Success ? match.Groups["v"].Value : null;
    }

    [GeneratedRegex("^monetization_outbox_step_duration_seconds_(?<kind>sum|count)\\{(?<labels>[^}]*)\\} (?<value>[0-9.eE+-]+)")]
    private static partial Regex StepLine();
}
