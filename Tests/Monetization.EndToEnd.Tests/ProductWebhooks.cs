using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Monetization.TestKit;

namespace Monetization.EndToEnd.Tests;

/// <summary>
/// Issue 18 in the story: the product registers a receiver (a real Kestrel server on loopback) for every event type before
/// the story starts, and afterwards has been told what the story changed, each request signed the Standard Webhooks way.
/// </summary>
internal static class ProductWebhooks
{
    /// <summary>What the story must have told the product, at least.</summary>
    public static readonly string[] ExpectedTypes =
    [
        "subscription.changed", "access.changed", "referral.converted", "referral.credit_granted", "marketplace.install.activated",
    ];

    /// <summary>The endpoint's id and secret.</summary>
    public sealed record Endpoint(string Id, string Secret);

    /// <summary>Registers the receiver for every type; the Host may deliver to loopback over http for this.</summary>
    public static async Task<Endpoint> RegisterAsync(MonetizationFactory factory, WebhookReceiver receiver)
    {
        factory.WithSetting("Webhooks:AllowPrivateTargets", "true").WithSetting("Webhooks:RequireHttps", "false").WithSetting("Webhooks:PollSeconds", "0.2");
        using var admin = factory.CreateAdminClient();
        using var response = await admin.PostJsonAsync("/v1/webhook_endpoints", new { url = receiver.Url, event_types = new[] { "*" }, description = "the product" });
        var body = await response.ReadJsonAsync(201);
        return new Endpoint(body["endpoint"]!["id"]!.GetValue<string>(), body["secret"]!.GetValue<string>());
    }

    /// <summary>Waits until every delivery is delivered, then checks signatures, ids and the types told.</summary>
    /// <remarks>Reads the module's database, not the deliveries route: the contract test records that route's first answer,
    /// which must be a list whose content does not depend on how the modules' outboxes interleaved.</remarks>
    public static async Task AssertToldAsync(MonetizationFactory factory, WebhookReceiver receiver, Endpoint endpoint)
    {
        await factory.DrainOutboxAsync();
        var statuses = await WaitUntilDeliveredAsync(factory, endpoint.Id);
        Assert.That(statuses.Where(s => s != "delivered"), Is.Empty, "every delivery delivered");
        var received = receiver.Received.ToList();
        foreach (var hook in received)
        {
            Assert.That(Verifies(endpoint.Secret, hook), Is.True, $"signature of {hook.Id}");
            Assert.That(JsonNode.Parse(hook.Body)!["id"]!.GetValue<string>(), Is.EqualTo(hook.Id));
        }

        var types = received.Select(r => JsonNode.Parse(r.Body)!["type"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        Assert.That(types, Is.SupersetOf(ExpectedTypes), "types told: " + string.Join(", ", types.Order(StringComparer.Ordinal)));
        Assert.That(received.Select(r => r.Id).Distinct().Count(), Is.EqualTo(statuses.Count), "one message per delivery (no retries needed, none doubled)");
    }

    /// <summary>Waits (up to 20 s) until no delivery of the endpoint is pending; returns every delivery's status.</summary>
    public static async Task<List<string>> WaitUntilDeliveredAsync(MonetizationFactory factory, string endpointId)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var statuses = await factory.QueryStringsAsync("webhooks", "SELECT \"Status\" AS \"Value\" FROM \"WebhookDeliveries\" WHERE \"EndpointId\" = {0}", endpointId);

            if ((statuses.Count > 0 && !statuses.Contains("pending")) || DateTime.UtcNow > until)
            {
                return statuses;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A receiver's check, written from the specification (not the module's signer).</summary>
    private static bool Verifies(string secret, ReceivedWebhook hook)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{hook.Id}.{hook.Timestamp}.{hook.Body}"));
        var expected = "v1," + Convert.ToBase64String(mac);
        return hook.Signature.Split(' ').Contains(expected, StringComparer.Ordinal);
    }
}
