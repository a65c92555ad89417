using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Monetization.Bench.Scenarios;

/// <summary>
/// The synthetic part of <c>outbox-throughput</c> (issue 22): integration events that no business flow raised, written
/// by the bench straight into Subscriptions' outbox at <c>--outbox-rate</c> while the Host runs, and consumed by two other
/// modules (<c>subscriptions.stripe_customer_linked</c> → Referrals' <c>TrackStripeCustomer</c> and Usage's
/// <c>LinkStripeCustomer</c>). It measures the outbox path alone (claim, publish, two consumers in two databases, mark)
/// with no webhook intake sharing the cores. Modules only publish types of the contract, so the type is a real one
/// with generated payloads (a user and a customer id each). The rows are committed by another process, so the Host
/// learns of them by polling, not by its commit signal: the phase runs with <c>Outbox__PollIntervalSeconds=0.01</c>,
/// which adds up to 10 ms to each lag.
/// </summary>
internal static partial class OutboxThroughput
{
    private const string SyntheticType = "subscriptions.stripe_customer_linked";
    private static readonly string[] SyntheticConsumers = ["TrackStripeCustomer", "LinkStripeCustomer"];
    private const string SyntheticDatabase = "subscriptions.db";
    private static readonly Dictionary<string, string> ConsumerDatabases = new(StringComparer.Ordinal)
    {
        ["TrackStripeCustomer"] = "referrals.db",
        ["LinkStripeCustomer"] = "usage.db",
    };

    private const string InsertOutboxSql =
        "INSERT INTO OutboxMessages (EventId, Type, Payload, OccurredAt, Attempts, NextAttemptAt, DispatchedAt, DeadLetteredAt, LastError, LockedUntil, LockedBy, TraceParent) "
        + "VALUES ($id, $type, $payload, $at, 0, $at, NULL, NULL, NULL, NULL, NULL, NULL)";

    private static async Task RunSyntheticAsync(BenchSettings settings, ScenarioResult result, CancellationToken ct)
    {
        var data = HostProcess.NewDataDirectory("outbox-synthetic");
        try
        {
            var environment = new Dictionary<string, string> { ["Outbox__PollIntervalSeconds"] = "0.01", ["Telemetry__Prometheus"] = "true" };
            await using var host = await HostProcess.StartAsync(settings, data, environment, ct);
            await using var writer = new SqliteConnection($"Data Source={Path.Combine(data, SyntheticDatabase)};Default Timeout=30;Pooling=False");
            await writer.OpenAsync(ct);

            // Long enough for the consumers' code to reach its optimised tier: after 2,000 events the first seconds of the timed
            // phase still fell behind by up to 1.2 s, then ran at 15–30 ms.
            var warmup = Math.Min(10_000, settings.OutboxEvents);
            await WriteAtRateAsync(writer, "w", warmup, settings.OutboxRate, ct);
            await WaitConsumedAsync(data, warmup, TimeSpan.FromSeconds(60), ct);

            using var admin = LoadDriver.CreateClient(host.BaseAddress, 1, HostProcess.AdminKey);
            var metricsBefore = await ScrapeStepsAsync(admin, ct);
            var cpuBefore = host.CpuTime;
            var fromTicks = DateTimeOffset.UtcNow.UtcTicks;
            var written = await WriteAtRateAsync(writer, "t", settings.OutboxEvents, settings.OutboxRate, ct);
            result.Metric("synthetic: bench writes per second (offered to the outbox)", written.Rate, "0");
            var consumed = await WaitConsumedAsync(data, warmup + settings.OutboxEvents, TimeSpan.FromSeconds(Math.Max(30, settings.Seconds)), ct);
            var cpuPerEvent = (host.CpuTime - cpuBefore).TotalMicroseconds / Math.Max(1, settings.OutboxEvents);
            result.Metric("synthetic: Host CPU µs per event (dispatch to two consumers)", cpuPerEvent, "0");
            foreach (var line in DescribeSteps(metricsBefore, await ScrapeStepsAsync(admin, ct)))
            {
                result.Notes.Add("synthetic: " + line);
            }

            await host.StopAsync();

            foreach (var consumer in SyntheticConsumers)
            {
                var lags = ReadLags(data, SyntheticDatabase, SyntheticType, null, ConsumerDatabases[consumer], consumer, fromTicks, out var firstOccurred, out var lastProcessed, out var published);
                var seconds = (lastProcessed - firstOccurred) / (double)TimeSpan.TicksPerSecond;
                var throughput = seconds > 0 ? lags.Count / seconds : 0;
                var lag = LatencySummary.From(lags.Select(l => l * Stopwatch.Frequency / TimeSpan.TicksPerSecond).ToArray());
                result.Phases.Add(new PhaseResult($"synthetic: StripeCustomerLinked outbox row → {consumer} commit", published, lags.Count,
                    published - lags.Count, TimeSpan.FromSeconds(seconds), lag, new Dictionary<int, long>(), null));
                result.Check($"synthetic → {consumer}: sustains {settings.OutboxRate:N0} events/s offered (≥ 99 %, every event consumed)",
                    throughput >= 0.99 * Math.Min(settings.OutboxRate, written.Rate) && lags.Count == settings.OutboxEvents,
                    $"{throughput:0} events/s, {lags.Count:N0} of {settings.OutboxEvents:N0} consumed ({consumed[consumer]:N0} in all with the warm-up)");
                result.Check($"synthetic → {consumer}: p99 lag < 1 s (outbox row → consumer commit)", lag.P99Ms < 1_000 && lags.Count > 0,
                    $"p50 {lag.P50Ms:0.0} ms, p99 {lag.P99Ms:0.0} ms, max {lag.MaxMs:0.0} ms over {lags.Count:N0} events");
            }
        }
        finally
        {
            if (!settings.KeepData)
            {
                HostProcess.DeleteDirectory(data);
            }
        }
    }

    /// <summary>Commits <paramref name="count"/> synthetic outbox rows at <paramref name="rate"/> per second, a small transaction every 5 ms.</summary>
    private static async Task<(long Count, double Rate)> WriteAtRateAsync(SqliteConnection writer, string tag, long count, int rate, CancellationToken ct)
    {
        await using var command = writer.CreateCommand();
        command.CommandText = InsertOutboxSql;
        var id = command.Parameters.Add("$id", SqliteType.Text);
        command.Parameters.AddWithValue("$type", SyntheticType);
        var payload = command.Parameters.Add("$payload", SqliteType.Text);
        var at = command.Parameters.Add("$at", SqliteType.Integer);
        var clock = Stopwatch.StartNew();
        long sent = 0;
        while (sent < count)
        {
            var due = Math.Min(count, (long)(clock.Elapsed.TotalSeconds * rate) + 1);
            if (due > sent)
            {
                await using var transaction = (SqliteTransaction)await writer.BeginTransactionAsync(ct);
                command.Transaction = transaction;
                var now = DateTimeOffset.UtcNow;
                for (; sent < due; sent++)
                {
                    var eventId = Guid.NewGuid();
                    id.Value = eventId.ToString("D").ToUpperInvariant(); // as EF Core's SQLite provider stores a Guid
                    at.Value = now.UtcTicks;
                    payload.Value = JsonSerializer.Serialize(new Dictionary<string, object?>
                    {
                        ["event_id"] = eventId,
                        ["occurred_at"] = now,
                        ["user_id"] = string.Create(CultureInfo.InvariantCulture, $"syn_{tag}_{sent % 5_000:D4}"),
                        ["stripe_customer_id"] = string.Create(CultureInfo.InvariantCulture, $"cus_syn{tag}{sent % 5_000:D4}"),
                        ["email"] = null,
                    });
                    await command.ExecuteNonQueryAsync(ct);
                }

                await transaction.CommitAsync(ct);
            }

            await Task.Delay(5, ct);
        }

        return (sent, sent / Math.Max(clock.Elapsed.TotalSeconds, 1e-9));
    }

    /// <summary>Waits until each synthetic consumer has an inbox row for <paramref name="expected"/> events, or no progress for <paramref name="stall"/>.</summary>
    private static async Task<Dictionary<string, long>> WaitConsumedAsync(string data, long expected, TimeSpan stall, CancellationToken ct)
    {
        var seen = SyntheticConsumers.ToDictionary(c => c, _ => 0L);
        var lastProgress = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(lastProgress) < stall && seen.Values.Any(v => v < expected))
        {
            foreach (var consumer in SyntheticConsumers)
            {
                await using var connection = new SqliteConnection($"Data Source={Path.Combine(data, ConsumerDatabases[consumer])};Mode=ReadOnly;Pooling=False");
                await connection.OpenAsync(ct);
                await using var count = connection.CreateCommand();
                count.CommandText = "SELECT COUNT(*) FROM InboxMessages WHERE Consumer LIKE $consumer";
                count.Parameters.AddWithValue("$consumer", "%" + consumer);
                var now = (long)(await count.ExecuteScalarAsync(ct))!;
                if (now != seen[consumer])
                {
                    seen[consumer] = now;
                    lastProgress = Stopwatch.GetTimestamp();
                }
            }

            await Task.Delay(100, ct);
        }

        return seen;
    }
}
