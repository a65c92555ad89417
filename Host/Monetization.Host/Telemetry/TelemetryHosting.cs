using Monetization.BuildingBlocks.Http;
using Monetization.BuildingBlocks.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Monetization.Host.Telemetry;

/// <summary>
/// Which OpenTelemetry exporters the Host turned on at start (issue 18, ADR 0062), decided once from configuration
/// (environment variables included): OTLP per signal only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or that signal's
/// <c>OTEL_EXPORTER_OTLP_{TRACES|METRICS|LOGS}_ENDPOINT</c> is set, and the Prometheus scrape endpoint only when
/// <c>Telemetry:Prometheus</c> is <c>true</c>.
/// </summary>
/// <param name="OtlpTraces">Spans are exported over OTLP.</param>
/// <param name="OtlpMetrics">Metrics are exported over OTLP (every 60 s unless <c>OTEL_METRIC_EXPORT_INTERVAL</c> says otherwise).</param>
/// <param name="OtlpLogs">Log records are exported over OTLP.</param>
/// <param name="Prometheus"><c>/metrics</c> answers in the Prometheus text format.</param>
public sealed record TelemetryExporters(bool OtlpTraces, bool OtlpMetrics, bool OtlpLogs, bool Prometheus)
{
    /// <summary>True when any exporter is on (with none, spans and measurements are still produced for in-process listeners only when one listens).</summary>
    public bool Any => OtlpTraces || OtlpMetrics || OtlpLogs || Prometheus;

    /// <summary>Reads the switches from configuration.</summary>
    /// <param name="configuration">The Host's configuration (the <c>OTEL_*</c> environment variables appear in it under their own names).</param>
    public static TelemetryExporters From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var all = IsSet(configuration, TelemetryHosting.OtlpEndpoint);
        return new TelemetryExporters(
            all || IsSet(configuration, TelemetryHosting.OtlpTracesEndpoint),
            all || IsSet(configuration, TelemetryHosting.OtlpMetricsEndpoint),
            all || IsSet(configuration, TelemetryHosting.OtlpLogsEndpoint),
            configuration.GetValue<bool>("Telemetry:Prometheus"));
    }

    private static bool IsSet(IConfiguration configuration, string key) => !string.IsNullOrWhiteSpace(configuration[key]);
}

/// <summary>
/// The Host's OpenTelemetry wiring, in one place (issue 18, ADR 0062). Traces: ASP.NET Core (HTTP in), HttpClient (HTTP
/// out) and every <c>Monetization.*</c> <see cref="System.Diagnostics.ActivitySource"/> (the Stripe client, the outbox
/// dispatch and its consumers, each module's own). Metrics: ASP.NET Core, HttpClient, the .NET runtime and every
/// <c>Monetization.*</c> <see cref="System.Diagnostics.Metrics.Meter"/> (a module added later, such as Webhooks, is picked
/// up by its name alone). Logs carry the trace and span id (<see cref="ActivityTrackingOptions"/>), and go out over OTLP
/// with the spans when OTLP is configured. Exporters: see <see cref="TelemetryExporters"/>; with none configured nothing
/// leaves the process.
/// </summary>
public static class TelemetryHosting
{
    /// <summary>The OTLP endpoint for every signal (OpenTelemetry specification, "OTLP Exporter Configuration").</summary>
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The OTLP endpoint for spans only, used as is (no <c>/v1/traces</c> appended).</summary>
    public const string OtlpTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";

    /// <summary>The OTLP endpoint for metrics only, used as is.</summary>
    public const string OtlpMetricsEndpoint = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT";

    /// <summary>The OTLP endpoint for logs only, used as is.</summary>
    public const string OtlpLogsEndpoint = "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT";

    /// <summary>Path of the Prometheus scrape endpoint.</summary>
    public const string PrometheusPath = "/metrics";

    /// <summary>The <c>service.name</c> resource attribute unless <c>OTEL_SERVICE_NAME</c> sets another.</summary>
    public const string DefaultServiceName = "monetization";

    /// <summary>Registers tracing, metrics and log correlation, and the exporters <see cref="TelemetryExporters.From"/> turns on.</summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var exporters = TelemetryExporters.From(configuration);
        builder.Services.AddSingleton(exporters);

        // Every log scope carries the current span's ids, so a log line can be joined to its trace.
        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(
                serviceName: configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : DefaultServiceName,
                serviceVersion: typeof(TelemetryHosting).Assembly.GetName().Version?.ToString()))
            .WithTracing(tracing =>
            {
                tracing.AddSource(MonetizationTelemetry.Wildcard)
                    .AddAspNetCoreInstrumentation(o =>
                    {
                        o.RecordException = true;
                        o.Filter = context => !context.Request.Path.StartsWithSegments(PrometheusPath, StringComparison.Ordinal);
                    })
                    .AddHttpClientInstrumentation(o => o.RecordException = true);
                if (exporters.OtlpTraces)
                {
                    tracing.AddOtlpExporter(o => ApplySignal(o, configuration, OtlpTracesEndpoint, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"));
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(MonetizationTelemetry.Wildcard)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                if (exporters.OtlpMetrics)
                {
                    metrics.AddOtlpExporter(o => ApplySignal(o, configuration, OtlpMetricsEndpoint, "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"));
                }

                if (exporters.Prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        if (exporters.OtlpLogs)
        {
            otel.WithLogging(logging => logging.AddOtlpExporter(o => ApplySignal(o, configuration, OtlpLogsEndpoint, "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL")));
        }

        return builder;
    }

    /// <summary>Maps <c>/metrics</c> (anonymous: scrape it from inside the network) when the Prometheus exporter is on.</summary>
    public static void MapTelemetry(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetRequiredService<TelemetryExporters>().Prometheus)
        {
            app.MapPrometheusScrapingEndpoint(PrometheusPath).WithMetadata(new ApiScopeMetadata(ApiScope.Anonymous));
        }
    }

    /// <summary>
    /// A signal-specific endpoint (and protocol) wins over the generic one and is used as given, as the specification says;
    /// without one, the exporter reads <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>_PROTOCOL</c> and <c>_HEADERS</c> itself.
    /// </summary>
    private static void ApplySignal(OtlpExporterOptions options, IConfiguration configuration, string endpointKey, string protocolKey)
    {
        if (configuration[endpointKey] is { Length: > 0 } endpoint && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            options.Endpoint = uri;
        }

        if (configuration[protocolKey] is { Length: > 0 } protocol)
        {
            options.Protocol = protocol.Trim() switch
            {
                "grpc" => OtlpExportProtocol.Grpc,
                _ => OtlpExportProtocol.HttpProtobuf,
            };
        }
    }
}
