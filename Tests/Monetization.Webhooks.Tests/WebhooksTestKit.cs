using System.Text.Json.Nodes;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.TestKit;
using Monetization.Webhooks.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace Monetization.Webhooks.Tests;

/// <summary>Helpers shared by the Webhooks tests.</summary>
internal static class WebhooksTestKit
{
    /// <summary>A Host that may deliver to loopback over http (the receiver beside it), plus extra settings.</summary>
    public static MonetizationFactory NewFactory(string? dataDirectory = null, params (string Key, string Value)[] settings)
    {
        var factory = new MonetizationFactory(dataDirectory)
            .WithSetting("Webhooks:AllowPrivateTargets", "true")
            .WithSetting("Webhooks:RequireHttps", "false")
            .WithSetting("Webhooks:PollSeconds", "0.1")
            .WithSetting("Webhooks:RequestTimeoutSeconds", "2");
        foreach (var (key, value) in settings)
        {
            factory.WithSetting(key, value);
        }

        _ = factory.Server;
        return factory;
    }

    /// <summary>Registers an endpoint; returns (id, secret).</summary>
    public static async Task<(string Id, string Secret)> CreateEndpointAsync(this MonetizationFactory factory, string url, params string[] types)
    {
        using var admin = factory.CreateAdminClient();
        using var response = await admin.PostJsonAsync("/v1/webhook_endpoints", new { url, event_types = types.Length == 0 ? ["*"] : types, description = "test receiver" });
        var body = await response.ReadJsonAsync(201);
        return (body["endpoint"]!["id"]!.GetValue<string>(), body["secret"]!.GetValue<string>());
    }

    /// <summary>Runs the delivery worker's due attempts now and waits for them.</summary>
    public static Task<int> DeliverAsync(this MonetizationFactory factory) =>
        factory.Services.GetRequiredService<WebhookDeliveryWorker>().DeliverDueAsync(CancellationToken.None);

    /// <summary>The endpoint's deliveries through the API, newest first.</summary>
    public static async Task<JsonArray> DeliveriesAsync(this MonetizationFactory factory, string endpointId)
    {
        using var admin = factory.CreateAdminClient();
        return (await admin.GetJsonAsync($"/v1/webhook_endpoints/{endpointId}/deliveries"))["data"]!.AsArray();
    }

    /// <summary>What Subscriptions publishes when a user starts paying for <c>pro</c> (first publication), or changes after <paramref name="previousTier"/>.</summary>
    public static SubscriptionChanged Changed(MonetizationFactory factory, string userId, string status, string tier, long version, string? previousStatus = null, string? previousTier = null, string? previousPlan = null) =>
        new(
            Guid.NewGuid(),
            factory.Clock.GetUtcNow(),
            userId,
            tier == "paid" ? "pro" : "free",
            status,
            tier,
            "monthly",
            "cus_" + userId,
            "sub_" + userId,
            factory.Clock.GetUtcNow().AddMonths(1),
            new PlanEntitlements(null, null, null, null, []),
            version,
            tier == "paid" ? "subscription" : "none",
            tier == "paid" ? factory.Clock.GetUtcNow().AddMonths(1) : null,
            false,
            previousPlan,
            previousStatus,
            previousTier);

    /// <summary>Waits (real time, up to <paramref name="seconds"/>) until <paramref name="condition"/> holds.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, double seconds = 10)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < until)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(25);
        }

        return condition();
    }
}
