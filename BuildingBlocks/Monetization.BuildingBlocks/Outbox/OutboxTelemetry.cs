using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Monetization.BuildingBlocks.Telemetry;

namespace Monetization.BuildingBlocks.Outbox;

/// <summary>One module's outbox as the gauges read it.</summary>
/// <param name="OldestPendingAt">When the oldest undelivered, not dead-lettered event occurred (UTC); null when none is pending.</param>
/// <param name="Pending">Undelivered, not dead-lettered events.</param>
/// <param name="DeadLettered">Dead-lettered events.</param>
public readonly record struct OutboxGaugeReading(DateTimeOffset? OldestPendingAt, long Pending, long DeadLettered);

/// <summary>
/// The outbox's telemetry (issue 18, ADR 0062): the <c>Monetization.Outbox</c> activity source (a <c>outbox publish</c>
/// span per delivered row, child of the span that raised the event, and a <c>consume</c> span per consumer) and the
/// <c>Monetization.Outbox</c> meter. Gauges are read only when a metrics exporter collects (an OTLP export or a
/// <c>/metrics</c> scrape), with one small query per module; counters and the histogram cost a flag check when nothing
/// listens.
/// </summary>
/// <remarks>
/// Instruments (docs/operations.md lists them with alerts): <c>monetization.outbox.lag</c> (s, gauge: age of the oldest
/// pending event, 0 when none), <c>monetization.outbox.pending</c> ({event}, gauge), <c>monetization.outbox.dead_letters</c>
/// ({event}, gauge), <c>monetization.outbox.deliveries</c> ({event}, counter by <c>monetization.outcome</c> =
/// <c>delivered</c> | <c>failed</c> | <c>dead_lettered</c>) and <c>monetization.outbox.publish.duration</c> (s, histogram:
/// one row published to every consumer), each with <c>monetization.module</c>.
/// </remarks>
public sealed class OutboxTelemetry
{
    /// <summary>The activity source and meter name: <c>Monetization.Outbox</c>.</summary>
    public static readonly string Name = MonetizationTelemetry.NameOf("Outbox");

    /// <summary>The outbox's activity source.</summary>
    public static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _deliveries;
    private readonly Histogram<double> _publishDuration;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _clock;

    /// <summary>Creates the instruments on the container's meter factory.</summary>
    public OutboxTelemetry(IMeterFactory meters, IServiceProvider services, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _services = services;
        _clock = clock;
        var meter = meters.Create(Name);
        _deliveries = meter.CreateCounter<long>("monetization.outbox.deliveries", "{event}",
            "Outbox rows published to every consumer (delivered), failed (retried later) or given up (dead_lettered).");
        _publishDuration = meter.CreateHistogram<double>("monetization.outbox.publish.duration", "s",
            "Time to publish one outbox row to every consumer of the event.");
        meter.CreateObservableGauge("monetization.outbox.lag", () => Observe(r => r.OldestPendingAt is { } at ? Math.Max(0, (_clock.GetUtcNow() - at).TotalSeconds) : 0d), "s",
            "Age of the oldest event not yet delivered to every consumer (0 when the outbox is drained).");
        meter.CreateObservableGauge("monetization.outbox.pending", () => Observe(r => r.Pending), "{event}",
            "Events not yet delivered and not dead-lettered.");
        meter.CreateObservableGauge("monetization.outbox.dead_letters", () => Observe(r => r.DeadLettered), "{event}",
            "Events given up after the configured attempts (replay them from the admin API or the dashboard).");
    }

    /// <summary>Whether a publish duration is recorded (read before taking a timestamp).</summary>
    internal bool TimingEnabled => _publishDuration.Enabled;

    /// <summary>Counts one outcome of a row.</summary>
    internal void Delivery(string module, string outcome)
    {
        if (_deliveries.Enabled)
        {
            _deliveries.Add(1, new KeyValuePair<string, object?>(MonetizationTelemetry.ModuleTag, module), new KeyValuePair<string, object?>(MonetizationTelemetry.OutcomeTag, outcome));
        }
    }

    /// <summary>Records a publish that started at <paramref name="startTimestamp"/> (a <see cref="TimeProvider.GetTimestamp"/>).</summary>
    internal void Published(string module, long startTimestamp) =>
        _publishDuration.Record(_clock.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>(MonetizationTelemetry.ModuleTag, module));

    /// <summary>Starts the span of one row's publish, child of the span that raised it; null when nothing listens.</summary>
    internal static Activity? StartPublish(string module, string type, Guid eventId, string? traceParent)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("outbox publish " + type, ActivityKind.Consumer, MonetizationTelemetry.ParentFrom(traceParent));
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(MonetizationTelemetry.ModuleTag, module);
            activity.SetTag(MonetizationTelemetry.EventTypeTag, type);
            activity.SetTag("messaging.system", "monetization.outbox");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.message.id", eventId.ToString());
        }

        return activity;
    }

    /// <summary>Starts the span of one consumer handling an event (under the publish span); null when nothing listens.</summary>
    internal static Activity? StartConsume(string consumer, Guid eventId)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("consume " + consumer, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("monetization.consumer", consumer);
            activity.SetTag("messaging.message.id", eventId.ToString());
        }

        return activity;
    }

    private IEnumerable<Measurement<T>> Observe<T>(Func<OutboxGaugeReading, T> value)
        where T : struct
    {
        var measurements = new List<Measurement<T>>();
        foreach (var dispatcher in _services.GetServices<IOutboxDispatcher>())
        {
            OutboxGaugeReading reading;
            try
            {
                reading = dispatcher.ReadGauges();
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException or ObjectDisposedException)
            {
                continue; // a database that cannot be read (shutting down, locked past the timeout) reports nothing this time
            }

            measurements.Add(new Measurement<T>(value(reading), new KeyValuePair<string, object?>(MonetizationTelemetry.ModuleTag, dispatcher.Module)));
        }

        return measurements;
    }
}
