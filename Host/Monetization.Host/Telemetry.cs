using Monetization.BuildingBlocks.Http;
using Monetization.BuildingBlocks.Outbox;
using Monetization.BuildingBlocks.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Monetization.Host;

/// <summary>
/// OpenTelemetry for the Host (issue 18, ADR 0062): traces of HTTP in and out (Stripe calls included) and of the outbox
/// and its consumers (<see cref="MonetizationTelemetry.Source"/>, one trace from a Stripe webhook through every module),
/// and metrics (<see cref="MonetizationTelemetry.Meter"/>, ASP.NET Core, HttpClient, the runtime, and per-module outbox
/// gauges). Exporters: OTLP when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or a per-signal
/// <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c> / <c>_METRICS_ENDPOINT</c> / <c>_LOGS_ENDPOINT</c>) is set, configured by the
/// other <c>OTEL_*</c> variables; a Prometheus scrape endpoint at <c>/metrics</c> when <c>Telemetry:Prometheus=true</c>. With
/// neither, nothing is registered: no listener, so no activity is created and no measurement is taken.
/// <c>Telemetry:Traces</c> / <c>Telemetry:Metrics</c> = true register the pipelines without an exporter (a test adds its own).
/// </summary>
internal static class Telemetry
{
    /// <summary>The Prometheus scrape path.</summary>
    public const string ScrapePath = "/metrics";

    /// <summary>Whether an OTLP exporter is configured by the environment.</summary>
    public static bool OtlpConfigured(IConfiguration configuration) =>
        new[] { "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT" }
            .Any(name => !string.IsNullOrWhiteSpace(configuration[name]));

    /// <summary>Registers what the configuration asks for (see the class comment).</summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var otlp = OtlpConfigured(configuration);
        var prometheus = configuration.GetValue<bool>("Telemetry:Prometheus");
        var traces = otlp || configuration.GetValue<bool>("Telemetry:Traces");
        var metrics = otlp || prometheus || configuration.GetValue<bool>("Telemetry:Metrics");
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        if (!traces && !metrics)
        {
            return builder;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName: configuration["OTEL_SERVICE_NAME"] ?? "monetization"));
        if (traces)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(MonetizationTelemetry.Name, MonetizationTelemetry.Wildcard)
                .AddAspNetCoreInstrumentation(o => o.Filter = ctx => !ctx.Request.Path.StartsWithSegments(ScrapePath))
                .AddHttpClientInstrumentation());
        }

        if (metrics)
        {
            builder.Services.AddSingleton<OutboxGauges>();
            telemetry.WithMetrics(meters =>
            {
                meters.AddMeter(MonetizationTelemetry.Name, MonetizationTelemetry.Wildcard)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                if (prometheus)
                {
                    meters.AddPrometheusExporter();
                }
            });
        }

        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Maps <c>/metrics</c> when <c>Telemetry:Prometheus=true</c>, for a key with the <c>read</c> scope (Prometheus sends it
    /// with <c>authorization: {credentials: …}</c>): the numbers say how much money moves, so they are not public.
    /// </summary>
    public static WebApplication MapTelemetry(this WebApplication app)
    {
        _ = app.Services.GetService<OutboxGauges>(); // created now (when metrics are on), so the gauges exist before the first collection
        if (app.Configuration.GetValue<bool>("Telemetry:Prometheus"))
        {
            app.MapPrometheusScrapingEndpoint(ScrapePath).WithMetadata(new ApiScopeMetadata(ApiScope.Read));
        }

        return app;
    }
}

/// <summary>
/// Observable gauges of every module's outbox, read from <see cref="IOutboxDispatcher.GetStatsAsync"/> when a reader
/// collects (not on any request path): <c>monetization.outbox.pending</c>, <c>monetization.outbox.dead_letters</c> and
/// <c>monetization.outbox.lag</c> (seconds since the oldest pending event occurred), each by <c>module</c>.
/// </summary>
internal sealed class OutboxGauges : IDisposable
{
    /// <summary>The meter the gauges belong to.</summary>
    public const string MeterName = "Monetization.Outbox";

    private readonly System.Diagnostics.Metrics.Meter _meter = new(MeterName);

    private readonly List<IOutboxDispatcher> _dispatchers;
    private readonly Lock _gate = new();
    private (long ReadAt, List<OutboxStats> Stats)? _last;

    public OutboxGauges(IEnumerable<IOutboxDispatcher> dispatchers, TimeProvider clock)
    {
        _dispatchers = dispatchers.ToList();
        _meter.CreateObservableGauge("monetization.outbox.pending", () => Measure(s => s.Pending), "{event}", "Integration events not yet delivered, by module.");
        _meter.CreateObservableGauge("monetization.outbox.dead_letters", () => Measure(s => s.DeadLettered), "{event}", "Integration events given up after Outbox:MaxAttempts, by module.");
        _meter.CreateObservableGauge(
            "monetization.outbox.lag",
            () => Measure(s => s.OldestPendingAt is { } oldest ? Math.Max(0, (clock.GetUtcNow() - oldest).TotalSeconds) : 0),
            "s",
            "Age of the oldest undelivered integration event, by module.");
    }

    /// <summary>One gauge's values; the three gauges of one collection share one read of each module's stats.</summary>
    private IEnumerable<System.Diagnostics.Metrics.Measurement<double>> Measure(Func<OutboxStats, double> value) =>
        Stats().Select(s => new System.Diagnostics.Metrics.Measurement<double>(value(s), new KeyValuePair<string, object?>("module", s.Module))).ToList();

    /// <summary>Each module's stats, read again only when the last read is more than a second old.</summary>
    private List<OutboxStats> Stats()
    {
        lock (_gate)
        {
            if (_last is { } last && Environment.TickCount64 - last.ReadAt < 1_000)
            {
                return last.Stats;
            }

            var stats = _dispatchers.Select(d => d.GetStatsAsync(CancellationToken.None).GetAwaiter().GetResult()).ToList();
            _last = (Environment.TickCount64, stats);
            return stats;
        }
    }

    public void Dispose() => _meter.Dispose();
}
