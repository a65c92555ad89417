using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monetization.BuildingBlocks.Outbox;
using Monetization.Host.Telemetry;
using Monetization.TestKit;
using NUnit.Framework;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using EmulatorServer = Monetization.StripeEmulator.StripeEmulator;

namespace Monetization.Platform.Tests;

/// <summary>
/// Issue 18, telemetry: the Host's OpenTelemetry pipeline, observed through OpenTelemetry's in-memory exporter added to
/// the same providers the Host builds (so the <c>Monetization.*</c> wildcards are what is tested), the Prometheus scrape
/// endpoint, and the OTLP exporter against a real OTLP/HTTP receiver on loopback.
/// </summary>
[TestFixture]
public sealed class TelemetryTests
{
    /// <summary>
    /// A Stripe webhook's trace: the emulator's deliveries go through the test server's real HTTP stack (so ASP.NET Core
    /// records the request), and the spans of the request, of the Subscriptions outbox publishing what it raised, and of a
    /// consumer in another module that handled it share one trace id; the Stripe client's calls are traced too.
    /// </summary>
    [Test]
    public async Task A_Stripe_webhook_is_followed_through_the_outbox_into_another_module()
    {
        var spans = new List<Activity>();
        await using var factory = new MonetizationFactory()
            .WithServices(s => s.ConfigureOpenTelemetryTracerProvider(b => b.AddInMemoryExporter(spans)));
        using var admin = factory.CreateAdminClient();
        factory.Services.GetRequiredService<EmulatorServer>()
            .ConfigureWebhooks(new Uri("http://localhost/v1/webhooks/stripe"), () => factory.Server.CreateHandler());

        var checkout = await admin.PostAsJsonAsync("/v1/subscriptions/checkout", new { user_id = "user_trace_1", email = "trace@example.com", plan = "pro", cadence = "monthly" });
        Assert.That(checkout.StatusCode, Is.EqualTo(HttpStatusCode.OK), await checkout.Content.ReadAsStringAsync());
        var session = JsonNode.Parse(await checkout.Content.ReadAsStringAsync())!["session_id"]!.GetValue<string>();
        await factory.CompleteCheckoutAsync(session);
        await factory.SettleAsync();

        List<Activity> snapshot;
        lock (spans)
        {
            snapshot = [.. spans];
        }

        var webhookRequests = snapshot.Where(a => a.Kind == ActivityKind.Server && Equals(a.GetTagItem("http.route"), "/v1/webhooks/stripe")).ToList();
        Assert.That(webhookRequests, Is.Not.Empty, "ASP.NET Core recorded the webhook deliveries");
        var followed = webhookRequests.Where(request =>
        {
            var trace = snapshot.Where(a => a.TraceId == request.TraceId).ToList();
            var publishes = trace.Where(a => a.Source.Name == OutboxTelemetry.Name && a.OperationName.StartsWith("outbox publish", StringComparison.Ordinal)).ToList();
            var foreignConsumers = trace.Where(a => a.Source.Name == OutboxTelemetry.Name
                && (a.GetTagItem("monetization.consumer") as string ?? "").StartsWith("Monetization.", StringComparison.Ordinal)
                && !(a.GetTagItem("monetization.consumer") as string ?? "").StartsWith("Monetization.Subscriptions.", StringComparison.Ordinal)).ToList();
            return publishes.Any(p => Equals(p.GetTagItem("monetization.module"), "Subscriptions")) && foreignConsumers.Count > 0;
        }).ToList();
        Assert.That(followed, Is.Not.Empty,
            "one webhook request's trace holds a Subscriptions outbox publish and a consumer of another module; traces seen: "
            + string.Join(" | ", webhookRequests.Select(r => string.Join(",", snapshot.Where(a => a.TraceId == r.TraceId).Select(a => a.DisplayName)))));

        var publish = snapshot.First(a => a.TraceId == followed[0].TraceId && a.Source.Name == OutboxTelemetry.Name && a.OperationName.StartsWith("outbox publish", StringComparison.Ordinal));
        Assert.That(publish.Kind, Is.EqualTo(ActivityKind.Consumer));
        Assert.That(snapshot.Any(a => a.Source.Name == "Monetization.Stripe" && a.Kind == ActivityKind.Client && Equals(a.GetTagItem("monetization.stripe.resource"), "checkout/sessions")),
            Is.True, "the Stripe client's call that created the checkout session is traced");
    }

    /// <summary>Webhook intake is counted by outcome, and the outbox gauges report lag, pending and dead letters per module.</summary>
    [Test]
    public async Task Metrics_report_webhook_intake_and_outbox_lag()
    {
        var metrics = new List<Metric>();
        await using var factory = new MonetizationFactory()
            .WithSetting("Outbox:AutoStart", "false")
            .WithServices(s => s.ConfigureOpenTelemetryMeterProvider(b => b.AddInMemoryExporter(metrics)));
        using var admin = factory.CreateAdminClient();

        using (var refused = await factory.PostStripeWebhookAsync("""{"id":"evt_bad","object":"event","type":"invoice.paid"}""", "t=1,v1=deadbeef"))
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        var checkout = await admin.PostAsJsonAsync("/v1/subscriptions/checkout", new { user_id = "user_metrics_1", email = "m@example.com", plan = "pro", cadence = "monthly" });
        var session = JsonNode.Parse(await checkout.Content.ReadAsStringAsync())!["session_id"]!.GetValue<string>();
        await factory.CompleteCheckoutAsync(session);
        await factory.FlushStripeWebhooksAsync();
        factory.Clock.Advance(TimeSpan.FromSeconds(90)); // nothing dispatches (AutoStart off): the Subscriptions outbox waits

        var provider = factory.Services.GetRequiredService<MeterProvider>();
        Collect(provider, metrics);
        Assert.That(Sum(metrics, "monetization.stripe_webhook.requests", "invalid_signature"), Is.EqualTo(1));
        Assert.That(Sum(metrics, "monetization.stripe_webhook.requests", "processed"), Is.GreaterThan(0));
        Assert.That(Count(metrics, "monetization.stripe_webhook.duration"), Is.GreaterThan(1), "each delivery's duration is recorded");
        Assert.That(Gauge(metrics, "monetization.outbox.lag", "Subscriptions"), Is.GreaterThanOrEqualTo(90), "the oldest pending event is 90 s old");
        Assert.That(Gauge(metrics, "monetization.outbox.pending", "Subscriptions"), Is.GreaterThan(0));
        Assert.That(Gauge(metrics, "monetization.outbox.dead_letters", "Subscriptions"), Is.Zero);
        Assert.That(Unit(metrics, "monetization.outbox.lag"), Is.EqualTo("s"));

        await factory.SettleAsync();
        Collect(provider, metrics);
        Assert.That(Gauge(metrics, "monetization.outbox.lag", "Subscriptions"), Is.Zero, "drained");
        Assert.That(Sum(metrics, "monetization.outbox.deliveries", "delivered", "Subscriptions"), Is.GreaterThan(0));
        Assert.That(metrics.Any(m => m.Name == "monetization.stripe.client.duration"), Is.True, "Stripe calls are timed");
    }

    /// <summary>Usage events are counted as accepted or duplicate.</summary>
    [Test]
    public async Task Usage_events_ingested_are_counted()
    {
        var metrics = new List<Metric>();
        await using var factory = new MonetizationFactory()
            .WithServices(s => s.ConfigureOpenTelemetryMeterProvider(b => b.AddInMemoryExporter(metrics)));
        using var admin = factory.CreateAdminClient();
        var batch = new { events = new[] { new { event_id = "ev_t1", user_id = "user_usage_1", meter = "api_calls", timestamp = factory.Now.ToString("O") }, new { event_id = "ev_t1", user_id = "user_usage_1", meter = "api_calls", timestamp = factory.Now.ToString("O") } } };
        using var response = await admin.PostAsJsonAsync("/v1/usage/events", batch);
        Assert.That((int)response.StatusCode, Is.InRange(200, 299), await response.Content.ReadAsStringAsync());

        Collect(factory.Services.GetRequiredService<MeterProvider>(), metrics);
        Assert.That(Sum(metrics, "monetization.usage.events_ingested", "accepted"), Is.EqualTo(1));
        Assert.That(Sum(metrics, "monetization.usage.events_ingested", "duplicate"), Is.EqualTo(1));
    }

    /// <summary><c>/metrics</c> answers the Prometheus text format when <c>Telemetry:Prometheus=true</c>, and is 404 otherwise.</summary>
    [TestCase(true)]
    [TestCase(false)]
    public async Task Prometheus_endpoint_answers_only_when_enabled(bool enabled)
    {
        await using var factory = new MonetizationFactory().WithSetting("Telemetry:Prometheus", enabled ? "true" : "false");
        using var client = factory.CreateAnonymousClient();
        using (await factory.PostStripeWebhookAsync("{}", "t=1,v1=00"))
        {
        }

        using var response = await client.GetAsync(TelemetryHosting.PrometheusPath);
        if (!enabled)
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            return;
        }

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain").Or.EqualTo("application/openmetrics-text"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(text, Does.Contain("monetization_stripe_webhook_requests"));
        Assert.That(text, Does.Contain("monetization_outbox_lag_seconds"));
    }

    /// <summary>
    /// Without <c>OTEL_*</c> endpoint settings nothing is exported (no exporter is registered, and a receiver listening on
    /// the default-looking address gets nothing); with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> pointing at it, spans and metrics
    /// arrive over OTLP/HTTP.
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public async Task Otlp_exports_only_when_an_endpoint_is_configured(bool configured)
    {
        var received = new System.Collections.Concurrent.ConcurrentBag<string>();
        var receiverBuilder = WebApplication.CreateSlimBuilder();
        receiverBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var receiver = receiverBuilder.Build();
        receiver.Run(context =>
        {
            received.Add(context.Request.Path.Value ?? "");
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            return Task.CompletedTask;
        });
        await receiver.StartAsync();
        var address = receiver.Urls.First();

        var factory = new MonetizationFactory()
            .WithSetting("OTEL_BSP_SCHEDULE_DELAY", "100")
            .WithSetting("OTEL_METRIC_EXPORT_INTERVAL", "200")
            .WithSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        if (configured)
        {
            factory.WithSetting(TelemetryHosting.OtlpEndpoint, address);
        }

        await using (factory)
        {
            var exporters = factory.Services.GetRequiredService<TelemetryExporters>();
            Assert.That(exporters.OtlpTraces && exporters.OtlpMetrics && exporters.OtlpLogs, Is.EqualTo(configured));
            Assert.That(exporters.Any, Is.EqualTo(configured), "no OTEL_* variables and no Telemetry:Prometheus: no exporter at all");
            using var client = factory.CreateAnonymousClient();
            using (await client.GetAsync("/health/ready"))
            {
            }

            factory.Services.GetRequiredService<TracerProvider>().ForceFlush(5000);
            factory.Services.GetRequiredService<MeterProvider>().ForceFlush(5000);
        }

        if (configured)
        {
            Assert.That(received, Does.Contain("/v1/traces"));
            Assert.That(received, Does.Contain("/v1/metrics"));
        }
        else
        {
            await Task.Delay(500);
            Assert.That(received, Is.Empty);
        }
    }

    /// <summary>Log records written inside a span carry its trace and span id in their scope (the Host's logger factory).</summary>
    [Test]
    public async Task Logs_carry_the_trace_id()
    {
        var sink = new ScopeCapturingProvider();
        await using var factory = new MonetizationFactory().WithServices(s => s.AddSingleton<ILoggerProvider>(sink));
        using var source = new ActivitySource("Monetization.TelemetryTests");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
        };
        ActivitySource.AddActivityListener(listener);
        var logger = factory.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Monetization.TelemetryTests");
        using (var activity = source.StartActivity("log inside a span"))
        {
            Assert.That(activity, Is.Not.Null);
            logger.LogInformation("inside");
            Assert.That(sink.Scopes, Has.Some.Matches<IReadOnlyDictionary<string, object?>>(d =>
                d.TryGetValue("TraceId", out var trace) && trace?.ToString() == activity!.TraceId.ToHexString()
                && d.TryGetValue("SpanId", out var span) && span?.ToString() == activity.SpanId.ToHexString()));
        }
    }

    /// <summary>Keeps the scope values of every log record it receives.</summary>
    private sealed class ScopeCapturingProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider? _scopes;

        public System.Collections.Concurrent.ConcurrentQueue<IReadOnlyDictionary<string, object?>> Scopes { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(ScopeCapturingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => owner._scopes?.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = new Dictionary<string, object?>(StringComparer.Ordinal);
                owner._scopes?.ForEachScope((scope, bag) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, value) in pairs)
                        {
                            bag[key] = value;
                        }
                    }
                }, values);
                owner.Scopes.Enqueue(values);
            }
        }
    }

    private static void Collect(MeterProvider provider, List<Metric> metrics)
    {
        lock (metrics)
        {
            metrics.Clear();
        }

        Assert.That(provider.ForceFlush(5000), Is.True);
    }

    private static IEnumerable<MetricPoint> Points(List<Metric> metrics, string name)
    {
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                yield return point;
            }
        }
    }

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }

    private static long Sum(List<Metric> metrics, string name, string outcome, string? module = null) =>
        Points(metrics, name).Where(p => Tag(p, "monetization.outcome") == outcome && (module is null || Tag(p, "monetization.module") == module))
            .Sum(p => p.GetSumLong());

    private static long Count(List<Metric> metrics, string name) => Points(metrics, name).Sum(p => p.GetHistogramCount());

    private static double Gauge(List<Metric> metrics, string name, string module)
    {
        var point = Points(metrics, name).Single(p => Tag(p, "monetization.module") == module);
        return metrics.First(m => m.Name == name).MetricType == MetricType.DoubleGauge ? point.GetGaugeLastValueDouble() : point.GetGaugeLastValueLong();
    }

    private static string? Unit(List<Metric> metrics, string name) => metrics.First(m => m.Name == name).Unit;
}
