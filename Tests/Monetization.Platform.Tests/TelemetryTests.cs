using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monetization.TestKit;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Monetization.Platform.Tests;

/// <summary>
/// Issue 18's telemetry: one trace from a Stripe webhook through the outbox into other modules' consumers; the Prometheus
/// scrape endpoint only when asked for, with the intake and outbox metrics; nothing registered without an exporter.
/// </summary>
[NonParallelizable]
public sealed class TelemetryTests
{
    [Test]
    public async Task A_stripe_webhook_is_followed_through_the_outbox_into_other_modules_in_one_trace()
    {
        var spans = new List<Activity>();
        await using var factory = new MonetizationFactory()
            .WithSetting("Telemetry:Traces", "true")
            .WithServices(s => s.AddOpenTelemetry().WithTracing(t => t.AddInMemoryExporter(spans)));

        // Stripe delivers a paid credit-package checkout: Subscriptions stores it and announces it (CheckoutCompleted), which
        // Usage (the credit) and Marketplace (not a plugin: declined) consume.
        using var response = await factory.PostStripeWebhookAsync(CreditPurchase(factory, "u_traced"));
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        await factory.DrainOutboxAsync();

        // The server span ends (and reaches the exporter) just after the response is sent: wait for it.
        var snapshot = await SpansOnceAsync(spans, s => s.Kind == ActivityKind.Server && s.GetTagItem("url.path") as string == "/v1/webhooks/stripe");
        var request = snapshot.Single(s => s.Kind == ActivityKind.Server && s.GetTagItem("url.path") as string == "/v1/webhooks/stripe");
        var trace = snapshot.Where(s => s.TraceId == request.TraceId).ToList();
        var publishes = trace.Where(s => s.DisplayName.StartsWith("outbox publish ", StringComparison.Ordinal)).ToList();
        Assert.That(publishes.Select(p => p.DisplayName), Does.Contain("outbox publish subscriptions.checkout_completed"),
            "the events the webhook raised are published in its trace: " + string.Join(", ", snapshot.Select(s => s.DisplayName).Distinct()));
        Assert.That(publishes.All(p => p.ParentSpanId == request.SpanId), Is.True, "each publish is a child of the webhook's request");
        var consumers = trace.Where(s => s.DisplayName.StartsWith("consume ", StringComparison.Ordinal)).ToList();
        Assert.That(consumers.All(c => publishes.Any(p => p.SpanId == c.ParentSpanId)), Is.True, "each consumer span is a child of a publish span");
        var modules = consumers.Select(c => (c.GetTagItem("monetization.consumer") as string)!.Split('.')[1]).ToHashSet();
        Assert.That(modules, Is.SupersetOf(new[] { "Usage", "Marketplace" }), "consumers of the other modules in the webhook's trace");
        using var admin = factory.CreateReadClient();
        Assert.That((await admin.GetJsonAsync("/v1/usage/u_traced/credits"))["balance"]!.GetValue<long>(), Is.EqualTo(500), "and the work was done");
    }

    [Test]
    public async Task The_prometheus_endpoint_shows_intake_and_outbox_metrics_only_when_enabled()
    {
        await using (var off = new MonetizationFactory())
        {
            using var anonymous = off.CreateAnonymousClient();
            using var none = await anonymous.GetAsync("/metrics");
            Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "no /metrics unless Telemetry:Prometheus=true");
            Assert.That(off.Services.GetService<TracerProvider>(), Is.Null, "no OTEL_* variables and no Telemetry settings: no tracing registered");
        }

        await using var on = new MonetizationFactory().WithSetting("Telemetry:Prometheus", "true");
        await SubscribeAsync(on, "u_metered");
        using (var anonymous = on.CreateAnonymousClient())
        using (var unauthorized = await anonymous.GetAsync("/metrics"))
        {
            Assert.That(unauthorized.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the scrape needs a read key");
        }

        using var client = on.CreateReadClient();
        string text = "";
        for (var i = 0; i < 20; i++)
        {
            text = await client.GetStringAsync("/metrics");
            if (text.Contains("monetization_stripe_webhook_events", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.That(text, Does.Contain("monetization_stripe_webhook_events").And.Contain("outcome=\"processed\""));
        Assert.That(text, Does.Contain("monetization_stripe_webhook_duration_seconds"));
        Assert.That(text, Does.Contain("monetization_outbox_published").And.Contain("module=\"Subscriptions\""));
        Assert.That(text, Does.Contain("monetization_outbox_lag_seconds{").And.Contain("monetization_outbox_dead_letters{"));
        Assert.That(text, Does.Contain("monetization_stripe_request_duration_seconds_count{").And.Contain("stripe_resource=\"/v1/checkout\""), "Stripe calls are measured");
    }

    /// <summary>
    /// Stripe calls show in the trace of the request that made them, also in emulator mode (no socket, so no HttpClient
    /// span): a checkout's request holds a client span <c>stripe POST /v1/checkout</c>.
    /// </summary>
    [Test]
    public async Task Stripe_calls_show_in_the_trace_of_the_request_that_made_them()
    {
        var spans = new List<Activity>();
        await using var factory = new MonetizationFactory()
            .WithSetting("Telemetry:Traces", "true")
            .WithServices(s => s.AddOpenTelemetry().WithTracing(t => t.AddInMemoryExporter(spans)));
        using var admin = factory.CreateAdminClient();
        using (var response = await admin.PostJsonAsync("/v1/subscriptions/checkout", new { user_id = "u_stripe_span", email = "s@example.com", plan = "premium", cadence = "monthly" }))
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        }

        // The server span ends (and reaches the exporter) just after the response is sent: wait for it.
        var snapshot = await SpansOnceAsync(spans, s => s.Kind == ActivityKind.Server && s.GetTagItem("url.path") as string == "/v1/subscriptions/checkout");
        var request = snapshot.Single(s => s.Kind == ActivityKind.Server && s.GetTagItem("url.path") as string == "/v1/subscriptions/checkout");
        var stripe = snapshot.Where(s => s.TraceId == request.TraceId && s.Kind == ActivityKind.Client && s.DisplayName.StartsWith("stripe ", StringComparison.Ordinal)).ToList();
        Assert.That(stripe.Select(s => s.DisplayName), Does.Contain("stripe POST /v1/checkout"), "spans seen: " + string.Join(", ", snapshot.Select(s => s.DisplayName).Distinct()));
        Assert.That(stripe.All(s => s.GetTagItem("http.response.status_code") is int), Is.True);
    }

    /// <summary>
    /// The OTLP exporter against a real OTLP/HTTP receiver on loopback: without an <c>OTEL_EXPORTER_OTLP_*ENDPOINT</c> setting no
    /// OpenTelemetry provider is registered and the receiver gets nothing; with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set to it,
    /// spans and metrics arrive at <c>/v1/traces</c> and <c>/v1/metrics</c>.
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public async Task Otlp_exports_only_when_an_endpoint_is_configured(bool configured)
    {
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var receiverBuilder = WebApplication.CreateSlimBuilder();
        receiverBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var receiver = receiverBuilder.Build();
        receiver.Run(context =>
        {
            received.Enqueue(context.Request.Path.Value ?? "");
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            return Task.CompletedTask;
        });
        await receiver.StartAsync();

        var factory = new MonetizationFactory().WithSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        if (configured)
        {
            factory.WithSetting("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.Urls.First());
        }

        await using (factory)
        {
            using var client = factory.CreateAnonymousClient();
            using (var ready = await client.GetAsync("/health/ready"))
            {
                Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }

            var tracer = factory.Services.GetService<TracerProvider>();
            var meter = factory.Services.GetService<MeterProvider>();
            Assert.That(tracer is not null && meter is not null, Is.EqualTo(configured), "providers exist only with an endpoint");
            tracer?.ForceFlush(5000);
            meter?.ForceFlush(5000);
        }

        if (configured)
        {
            Assert.That(received, Does.Contain("/v1/traces"));
            Assert.That(received, Does.Contain("/v1/metrics"));
        }
        else
        {
            await Task.Delay(300);
            Assert.That(received, Is.Empty);
        }
    }

    /// <summary>A refused Stripe delivery (bad signature) is counted with its problem type as the outcome.</summary>
    [Test]
    public async Task Refused_stripe_deliveries_are_counted_by_reason()
    {
        var metrics = new List<Metric>();
        await using var factory = new MonetizationFactory()
            .WithSetting("Telemetry:Metrics", "true")
            .WithServices(s => s.ConfigureOpenTelemetryMeterProvider(b => b.AddInMemoryExporter(metrics)));
        using (var refused = await factory.PostStripeWebhookAsync("""{"id":"evt_refused","object":"event","type":"invoice.paid"}""", "t=1,v1=deadbeef"))
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        Assert.That(factory.Services.GetRequiredService<MeterProvider>().ForceFlush(5000), Is.True);
        var outcomes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var metric in metrics.Where(m => m.Name == "monetization.stripe_webhook.events"))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                foreach (var tag in point.Tags)
                {
                    if (tag.Key == "outcome")
                    {
                        outcomes[tag.Value?.ToString() ?? ""] = outcomes.GetValueOrDefault(tag.Value?.ToString() ?? "") + point.GetSumLong();
                    }
                }
            }
        }

        // The emulator's own start-up deliveries (prices created) are answered too; the refused one is counted once, by reason.
        Assert.That(outcomes.GetValueOrDefault("invalid_signature"), Is.EqualTo(1), string.Join(", ", outcomes));
        Assert.That(outcomes.Keys, Has.None.EqualTo("refused"));
    }

    /// <summary>Usage events stored are counted (duplicates by event id are not), on the shared meter.</summary>
    [Test]
    public async Task Usage_events_ingested_are_counted_without_duplicates()
    {
        var metrics = new List<Metric>();
        await using var factory = new MonetizationFactory()
            .WithSetting("Telemetry:Metrics", "true")
            .WithServices(s => s.ConfigureOpenTelemetryMeterProvider(b => b.AddInMemoryExporter(metrics)));
        using var admin = factory.CreateAdminClient();
        var at = factory.Now.ToString("O");
        var batch = new
        {
            events = new[]
            {
                new { event_id = "ev_tel_1", user_id = "user_tel_usage", meter = "api_calls", timestamp = at },
                new { event_id = "ev_tel_1", user_id = "user_tel_usage", meter = "api_calls", timestamp = at },
                new { event_id = "ev_tel_2", user_id = "user_tel_usage", meter = "api_calls", timestamp = at },
            },
        };
        using (var response = await admin.PostJsonAsync("/v1/usage/events", batch))
        {
            Assert.That((int)response.StatusCode, Is.InRange(200, 299), await response.Content.ReadAsStringAsync());
        }

        Assert.That(factory.Services.GetRequiredService<MeterProvider>().ForceFlush(5000), Is.True);
        long total = 0;
        foreach (var metric in metrics.Where(m => m.Name == "monetization.usage.events_ingested"))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                total += point.GetSumLong();
            }
        }

        Assert.That(total, Is.EqualTo(2), "two distinct events stored; the repeated id is not counted");
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
        using var activity = source.StartActivity("log inside a span");
        Assert.That(activity, Is.Not.Null);
        logger.LogInformation("inside");
        Assert.That(sink.Scopes, Has.Some.Matches<IReadOnlyDictionary<string, object?>>(d =>
            d.TryGetValue("TraceId", out var trace) && trace?.ToString() == activity!.TraceId.ToHexString()
            && d.TryGetValue("SpanId", out var span) && span?.ToString() == activity.SpanId.ToHexString()));
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
                owner._scopes?.ForEachScope(
                    (scope, bag) =>
                    {
                        if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                        {
                            foreach (var (key, value) in pairs)
                            {
                                bag[key] = value;
                            }
                        }
                    },
                    values);
                owner.Scopes.Enqueue(values);
            }
        }
    }

    private static async Task SubscribeAsync(MonetizationFactory factory, string userId)
    {
        using var admin = factory.CreateAdminClient();
        using var response = await admin.PostJsonAsync("/v1/subscriptions/checkout", new { user_id = userId, email = userId + "@example.com", plan = "premium", cadence = "monthly" });
        var session = await response.ReadJsonAsync();
        await factory.CompleteCheckoutAsync(session["session_id"]!.GetValue<string>());
        await factory.SettleAsync();
    }

    /// <summary>A signed-ready <c>checkout.session.completed</c> of the <c>small</c> credit package (500 usd), Stripe's shape.</summary>
    private static string CreditPurchase(MonetizationFactory factory, string userId)
    {
        var now = factory.Now.ToUnixTimeSeconds();
        var suffix = Guid.NewGuid().ToString("N")[..12];
        return $$$"""
            {"id":"evt_trace{{{suffix}}}","object":"event","api_version":"2026-10-28.endive","created":{{{now}}},"livemode":false,"pending_webhooks":1,
             "request":{"id":null,"idempotency_key":null},"type":"checkout.session.completed",
             "data":{"object":{"id":"cs_test_trace{{{suffix}}}","object":"checkout.session","mode":"payment","status":"complete","payment_status":"paid",
               "amount_subtotal":500,"amount_total":500,"currency":"usd","customer":"cus_trace{{{suffix}}}","client_reference_id":"{{{userId}}}",
               "customer_details":{"email":"{{{userId}}}@example.com"},"payment_intent":"pi_trace{{{suffix}}}","created":{{{now}}},"livemode":false,
               "metadata":{"purpose":"usage.credits","user_id":"{{{userId}}}","package":"small","quantity":"1"} } } }
            """;
    }

    /// <summary>The exported spans once one matching <paramref name="present"/> is among them (at most 5 s; then as they are).</summary>
    private static async Task<List<Activity>> SpansOnceAsync(List<Activity> spans, Func<Activity, bool> present)
    {
        for (var waited = 0; ; waited += 20)
        {
            lock (spans)
            {
                if (spans.Any(present) || waited >= 5_000)
                {
                    return spans.ToList();
                }
            }

            await Task.Delay(20);
        }
    }
}
