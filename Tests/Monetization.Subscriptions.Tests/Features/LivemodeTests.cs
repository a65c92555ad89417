using System.Text.Json.Nodes;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.TestKit;

namespace Monetization.Subscriptions.Tests.Features;

/// <summary>
/// Issue 16: an event whose <c>livemode</c> is not the mode of our key is stored as <c>ignored</c> with the reason and never
/// applied, in both directions, through the webhook route.
/// </summary>
public sealed class LivemodeTests
{
    private const string Secret = "whsec_livemode_test_secret_0001";

    [Test]
    public async Task A_test_key_or_the_emulator_ignores_live_events_and_applies_test_ones()
    {
        await using var factory = new MonetizationFactory().WithSetting("Stripe:WebhookSecrets:0", Secret);
        using var admin = factory.CreateAdminClient();
        var checkout = SharedStripeSamples.Event("checkout.session.completed.subscription_paid");
        var paid = SharedStripeSamples.Event("invoice.paid");

        Assert.That(await PostAsync(factory, WithLivemode(checkout, live: true)), Is.EqualTo("ignored"));
        Assert.That(await PostAsync(factory, WithLivemode(paid, live: true)), Is.EqualTo("ignored"));
        await factory.DrainOutboxAsync();
        var stored = await admin.GetJsonAsync("/v1/stripe_events?status=ignored");
        var ids = new[] { JsonNode.Parse(checkout)!["id"]!.GetValue<string>(), JsonNode.Parse(paid)!["id"]!.GetValue<string>() };
        var reasons = stored["data"]!.AsArray()
            .Where(e => ids.Contains(e!["id"]!.GetValue<string>())) // the emulator's own start-up events (prices) are ignored types
            .Select(e => e!["last_error"]?.GetValue<string>())
            .ToList();
        Assert.That(reasons, Has.Count.EqualTo(2).And.All.StartsWith("livemode_mismatch: a live event (livemode true) reached a Host with a test key"));
        Assert.That(await factory.OutboxEventsAsync<FirstPaidTransition>(), Is.Empty, "nothing was applied");
        Assert.That(await factory.OutboxEventsAsync<StripeCustomerLinked>(), Is.Empty);

        // The same events in test mode (new ids) are applied.
        Assert.That(await PostAsync(factory, WithLivemode(checkout, live: false, newId: true)), Is.EqualTo("processed"));
        Assert.That(await PostAsync(factory, WithLivemode(paid, live: false, newId: true)), Is.EqualTo("processed"));
        Assert.That(await factory.OutboxEventsAsync<FirstPaidTransition>(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_live_key_ignores_test_events_and_applies_live_ones()
    {
        await using var factory = new MonetizationFactory()
            .WithSetting("Stripe:SecretKey", "sk_live_livemode_test")
            .WithSetting("Stripe:ApiBase", "http://127.0.0.1:9") // never reached: nothing here needs Stripe
            .WithSetting("Stripe:MaxNetworkRetries", "0")
            .WithSetting("Stripe:WebhookSecrets:0", Secret);
        using var admin = factory.CreateAdminClient();
        var purchase = SharedStripeSamples.Event("checkout.session.completed.payment");

        Assert.That(await PostAsync(factory, WithLivemode(purchase, live: false)), Is.EqualTo("ignored"));
        var ignored = (await admin.GetJsonAsync("/v1/stripe_events?status=ignored"))["data"]!.AsArray().Single()!;
        Assert.That(ignored["last_error"]!.GetValue<string>(), Does.StartWith("livemode_mismatch: a test-mode event (livemode false) reached a Host with a live key"));
        Assert.That(await factory.OutboxEventsAsync<CheckoutCompleted>(), Is.Empty, "a test purchase grants nothing on a live Host");

        Assert.That(await PostAsync(factory, WithLivemode(purchase, live: true, newId: true)), Is.EqualTo("processed"));
        Assert.That(await factory.OutboxEventsAsync<CheckoutCompleted>(), Has.Count.EqualTo(1));
    }

    private static string WithLivemode(string body, bool live, bool newId = false)
    {
        var evt = JsonNode.Parse(body)!.AsObject();
        evt["livemode"] = live;
        if (newId)
        {
            evt["id"] = evt["id"]!.GetValue<string>() + "_again";
        }

        return evt.ToJsonString();
    }

    private static async Task<string> PostAsync(MonetizationFactory factory, string body)
    {
        using var response = await factory.PostStripeWebhookAsync(body);
        var json = await response.ReadJsonAsync();
        return json["status"]!.GetValue<string>();
    }
}
