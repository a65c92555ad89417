using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Monetization.Bench.Baselines;
using Monetization.Bench.Payloads;
using Monetization.Bench.Seeding;

namespace Monetization.Bench.Scenarios;

/// <summary>
/// Earnings read (Marketplace issue): one developer with one one-time plugin (15.00 usd) and <c>--revenue-events</c>
/// revenue events (default 1,000,000) in the current month, then <c>GET /v1/marketplace/developers/{id}/earnings?period=</c>
/// timed from one client. Loading: the first <c>--revenue-webhook-events</c> (default 2,000) arrive the real way — signed
/// <c>checkout.session.completed</c> webhooks (payment mode, <c>metadata.purpose=marketplace.plugin</c>,
/// <c>plugin_id</c>, <c>user_id</c>) through Subscriptions, the outbox and the Marketplace consumer — and their end-to-end
/// rate is reported; the rest are seeded into marketplace.db with the module's own schema and ledger rules while the Host
/// is stopped (<see cref="MarketplaceSeeder"/>), and the answer's event count and gross are checked after the restart.
/// Baseline: <see cref="ReadBaseline"/> serving the same answer.
/// </summary>
internal static class Earnings
{
    private const string DeveloperId = "dev_bench";
    private const long Price = 1_500;

    public static async Task<ScenarioResult> RunAsync(BenchSettings settings, CancellationToken ct)
    {
        var result = new ScenarioResult("earnings");
        var secret = "whsec_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var environment = new Dictionary<string, string> { ["Stripe__WebhookSecrets__0"] = secret };
        var (from, to) = UsageWorkload.ThisMonthSoFar();
        var period = to.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var route = $"/v1/marketplace/developers/{DeveloperId}/earnings?period={period}";
        var total = settings.RevenueEvents;
        var viaWebhooks = Math.Min(settings.RevenueWebhookEvents, total);
        var data = HostProcess.NewDataDirectory("earnings");
        await using var database = await BenchDatabase.CreateAsync(settings, "earnings", ct);
        environment = database.HostEnvironment(environment);
        string answer;
        try
        {
            long recorded;
            string pluginId;
            await using (var host = await HostProcess.StartAsync(settings, data, environment, ct))
            {
                using var admin = LoadDriver.CreateClient(host.BaseAddress, 8, HostProcess.AdminKey);
                var published = await MarketplaceApi.PublishOneTimePluginAsync(admin, DeveloperId, "bench-plugin", "earnings", Price, ct);
                if (published is null)
                {
                    return ScenarioResult.Skip(result.Name, "route not available: POST /v1/marketplace/developers answered 404 or 405");
                }

                pluginId = published;

                recorded = await LoadThroughWebhooksAsync(settings, result, admin, host, secret, tag, pluginId, viaWebhooks, route, ct);
                await host.StopAsync();
                result.HostPeakMemoryBytes = host.PeakMemoryBytes;
            }

            var seedClock = Stopwatch.StartNew();
            var seeded = await MarketplaceSeeder.SeedAsync(data, database, DeveloperId, pluginId, total - recorded, Price, "usd", from, to, holdDays: 14, tag, ct);
            result.Metric(database.IsPostgres ? "revenue events seeded into the marketplace schema" : "revenue events seeded into marketplace.db", seeded, "0");
            result.Metric("seeding s", seedClock.Elapsed.TotalSeconds, "0.0");
            if (seeded > 0)
            {
                result.Notes.Add($"{seeded:N0} of {total:N0} revenue events were SEEDED into {(database.IsPostgres ? "PostgreSQL's marketplace schema" : "marketplace.db")} (module schema, ledger rules) with the Host stopped; {recorded:N0} came through signed webhooks.");
            }

            await using (var host = await HostProcess.StartAsync(settings, data, environment, ct))
            {
                using var one = LoadDriver.CreateClient(host.BaseAddress, 1, HostProcess.AdminKey);
                answer = await one.GetStringAsync(new Uri(route, UriKind.Relative), ct);
                var totals = JsonNode.Parse(answer)!["totals"]?.AsArray().FirstOrDefault(t => (string?)t?["currency"] == "usd");
                var events = (long?)totals?["events"] ?? -1;
                var gross = (long?)totals?["gross"] ?? -1;
                result.Check("earnings count every revenue event exactly", events == total && gross == total * Price,
                    $"events {events:N0} of {total:N0}, gross {gross:N0} of {total * Price:N0}");

                await LoadDriver.WarmUpReadsAsync((_, c) => UsageApi.GetAsync(one, route, c), ct);
                result.Phases.Add(await new LoadDriver(1, settings.Queries, TimeSpan.FromSeconds(settings.Seconds))
                    .RunAsync($"Host GET earnings, {total:N0} events (1 client, {settings.Provider})", (_, c) => UsageApi.GetAsync(one, route, c), ct));
                result.HostPeakMemoryBytes = Math.Max(result.HostPeakMemoryBytes ?? 0, host.PeakMemoryBytes);
            }

            await using var baseline = await ReadBaseline.StartAsync(data, new Dictionary<string, string> { [DeveloperId] = answer }, ct);
            using var baseHttp = LoadDriver.CreateClient(baseline.BaseAddress, 1);
            await LoadDriver.WarmUpReadsAsync((_, c) => UsageApi.GetAsync(baseHttp, "/rollup/" + DeveloperId, c), ct);
            result.Phases.Add(await new LoadDriver(1, settings.Queries, TimeSpan.FromSeconds(settings.Seconds))
                .RunAsync("baseline: 1 PK read of a stored answer (1 client)", (_, c) => UsageApi.GetAsync(baseHttp, "/rollup/" + DeveloperId, c), ct));
        }
        finally
        {
            if (!settings.KeepData)
            {
                HostProcess.DeleteDirectory(data);
            }
        }

        var hostPhase = result.Phases[^2];
        var basePhase = result.Phases[^1];
        result.Ratio = hostPhase.RequestsPerSecond / basePhase.RequestsPerSecond;
        result.RatioMeaning = "Host requests/s ÷ bare stored-answer endpoint requests/s, one sequential client";
        result.Check($"p99 < 10 ms over {total:N0} revenue events", hostPhase.Latency.P99Ms < 10 && hostPhase.Errors == 0, $"p99 {hostPhase.Latency.P99Ms:0.00} ms, {hostPhase.Errors} errors");
        result.Check($"p99 < 5 ms over {total:N0} revenue events (issue 22)", hostPhase.Latency.P99Ms < 5 && hostPhase.Errors == 0, $"p99 {hostPhase.Latency.P99Ms:0.00} ms");
        if (total < 1_000_000)
        {
            result.Notes.Add($"SCALED DOWN: {total:N0} revenue events instead of the issue's 1,000,000 (--revenue-events).");
        }

        return result;
    }

    /// <summary>
    /// Posts <paramref name="count"/> signed plugin purchases and waits until the earnings show them (or the load bound
    /// passes). Returns how many revenue events the Host recorded.
    /// </summary>
    internal static async Task<long> LoadThroughWebhooksAsync(BenchSettings settings, ScenarioResult result, HttpClient admin, HostProcess host,
        string secret, string tag, string pluginId, long count, string route, CancellationToken ct)
    {
        if (count == 0)
        {
            return 0;
        }

        var now = DateTimeOffset.UtcNow;
        var bodies = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            bodies[i] = StripeEvents.PluginCheckoutCompleted($"evt_rev{tag}{i:D10}", $"cs_test_bench{tag}{i:D10}", pluginId, null, $"user_rev_{i % 1000:D4}", Price, now);
        }

        using var hooks = LoadDriver.CreateClient(host.BaseAddress, 8);
        var clock = Stopwatch.StartNew();
        var signatures = WebhookIntake.Sign(bodies, secret);
        var phase = await new LoadDriver(8, count, TimeSpan.FromSeconds(settings.Seconds)).RunAsync("load: webhooks checkout.session.completed (8 clients)",
            (i, c) => WebhookIntake.PostAsync(hooks, WebhookIntake.Route, bodies[i], signatures[i], c), ct);
        result.Phases.Add(phase);
        if (phase.StatusCounts.ContainsKey(404) && phase.Items == 0)
        {
            result.Notes.Add($"the webhook path is not available (POST {WebhookIntake.Route} answered 404): every revenue event is seeded.");
            return 0;
        }

        // Wait for the outbox to deliver: until every accepted purchase is a revenue event, no progress for 15 s, or the load bound.
        long events = 0;
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * settings.LoadSeconds;
        var lastProgress = Stopwatch.GetTimestamp();
        while (Stopwatch.GetTimestamp() < deadline && Stopwatch.GetElapsedTime(lastProgress) < TimeSpan.FromSeconds(15))
        {
            var seen = await MarketplaceApi.RevenueEventsAsync(admin, route, ct);
            if (seen != events)
            {
                events = seen;
                lastProgress = Stopwatch.GetTimestamp();
            }

            if (events >= phase.Items)
            {
                break;
            }

            await Task.Delay(250, ct);
        }

        result.Metric("revenue events recorded from webhooks", events, "0");
        result.Metric("webhook → revenue event end-to-end events/s", events / clock.Elapsed.TotalSeconds, "0");
        if (events < phase.Items)
        {
            result.Notes.Add($"only {events} of {phase.Items} accepted purchase webhooks became revenue events in time.");
        }

        return events;
    }
}
