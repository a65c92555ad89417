using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Monetization.TestKit;
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

        List<Activity> snapshot;
        lock (spans)
        {
            snapshot = spans.ToList();
        }

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
}
