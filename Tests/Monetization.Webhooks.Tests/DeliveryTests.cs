using System.Text.Json.Nodes;
using Monetization.IntegrationEvents.Marketplace;
using Monetization.IntegrationEvents.Usage;
using Monetization.TestKit;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Tests;

/// <summary>Deliveries to a real receiver: signed, retried, disabled on 410, durable across a restart, and one slow endpoint holds up no other.</summary>
public sealed class DeliveryTests
{
    [Test]
    public async Task A_first_payment_tells_subscription_changed_and_access_changed_signed_with_the_endpoint_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var f = WebhooksTestKit.NewFactory();
        var (_, secret) = await f.CreateEndpointAsync(receiver.Url, "access.changed", "subscription.changed");
        await f.PublishAsync(WebhooksTestKit.Changed(f, "u1", "active", "paid", 1));
        await f.DeliverAsync();

        Assert.That(await WebhooksTestKit.EventuallyAsync(() => receiver.Received.Count >= 2), Is.True);
        var received = receiver.Received.ToList();
        foreach (var hook in received)
        {
            Assert.That(StandardWebhookSignature.Verify(secret, hook.Id, hook.Timestamp, hook.Body, hook.Signature), Is.True, hook.Body);
            var body = JsonNode.Parse(hook.Body)!;
            Assert.That((body["id"]!.GetValue<string>(), body["user_id"]!.GetValue<string>()), Is.EqualTo((hook.Id, "u1")));
        }

        var access = received.Select(r => JsonNode.Parse(r.Body)!).Single(b => b["type"]!.GetValue<string>() == "access.changed");
        Assert.That(access["data"]!["from"], Is.Null, "the first publication has no previous access");
        Assert.That((access["data"]!["to"]!["tier"]!.GetValue<string>(), access["data"]!["to"]!["plan"]!.GetValue<string>(), access["data"]!["reason"]!.GetValue<string>()),
            Is.EqualTo(("paid", "pro", "subscription")));
        Assert.That(received.Select(r => JsonNode.Parse(r.Body)!["type"]!.GetValue<string>()), Is.EquivalentTo(new[] { "access.changed", "subscription.changed" }));
    }

    [Test]
    public async Task Only_subscribed_types_are_sent_and_a_redelivered_event_is_sent_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var f = WebhooksTestKit.NewFactory();
        await f.CreateEndpointAsync(receiver.Url, "payment.recovered");
        var recovered = WebhooksTestKit.Changed(f, "u1", "active", "paid", 3, previousStatus: "past_due", previousTier: "paid", previousPlan: "pro");
        await f.PublishAsync(WebhooksTestKit.Changed(f, "u1", "past_due", "paid", 2, previousStatus: "active", previousTier: "paid", previousPlan: "pro"));
        await f.PublishAsync(recovered);
        await f.PublishAsync(recovered); // the outbox delivers at least once
        await f.DeliverAsync();
        Assert.That(await WebhooksTestKit.EventuallyAsync(() => receiver.Received.Count >= 1), Is.True);
        await Task.Delay(300);
        var hook = receiver.Received.Single();
        Assert.That(JsonNode.Parse(hook.Body)!["type"]!.GetValue<string>(), Is.EqualTo("payment.recovered"));
    }

    [Test]
    public async Task A_500_is_retried_with_backoff_until_a_200()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var f = WebhooksTestKit.NewFactory(settings: ("Webhooks:PollSeconds", "3600"));
        var (endpoint, _) = await f.CreateEndpointAsync(receiver.Url, "credits.low_balance");
        receiver.AnswerNext(500);
        await f.PublishAsync(new CreditBalanceDropped(Guid.NewGuid(), f.Now, "u1", 120, 500, "usd"));
        await f.DeliverAsync();

        var failed = (await f.DeliveriesAsync(endpoint)).Single()!;
        Assert.That((failed["status"]!.GetValue<string>(), failed["attempts"]!.GetValue<int>(), failed["last_status_code"]!.GetValue<int>()), Is.EqualTo(("pending", 1, 500)));
        Assert.That(failed["last_response_body"]!.GetValue<string>(), Is.EqualTo("answered 500"));
        var next = failed["next_attempt_at"]!.GetValue<DateTimeOffset>();
        Assert.That(next - f.Now, Is.InRange(TimeSpan.FromSeconds(24), TimeSpan.FromSeconds(36)), "30 s ± 20 % jitter");
        Assert.That(await f.DeliverAsync(), Is.Zero, "not due before its backoff");

        f.Clock.Advance(TimeSpan.FromMinutes(1));
        await f.DeliverAsync();
        var delivered = (await f.DeliveriesAsync(endpoint)).Single()!;
        Assert.That((delivered["status"]!.GetValue<string>(), delivered["attempts"]!.GetValue<int>(), delivered["last_status_code"]!.GetValue<int>()), Is.EqualTo(("delivered", 2, 200)));
        var ids = receiver.Received.Select(r => r.Id).Distinct().ToList();
        Assert.That((receiver.Received.Count, ids.Count), Is.EqualTo((2, 1)), "a retry carries the same webhook-id");
        using var admin = f.CreateAdminClient();
        Assert.That((await admin.GetJsonAsync($"/v1/webhook_endpoints/{endpoint}"))["failing_since"], Is.Null, "a success ends the failure streak");
    }

    [Test]
    public async Task A_410_disables_the_endpoint_and_later_events_are_not_sent()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var f = WebhooksTestKit.NewFactory();
        var (endpoint, _) = await f.CreateEndpointAsync(receiver.Url, "*");
        receiver.AnswerNext(410);
        await f.PublishAsync(new PayoutSent(Guid.NewGuid(), f.Now, "po_1", "dev_1", "2026-10", 7_000, "usd", "tr_1"));
        await f.DeliverAsync();
        using var admin = f.CreateAdminClient();
        var disabled = await admin.GetJsonAsync($"/v1/webhook_endpoints/{endpoint}");
        Assert.That((disabled["enabled"]!.GetValue<bool>(), disabled["disabled_reason"]!.GetValue<string>()), Is.EqualTo((false, "The endpoint answered 410 Gone.")));
        Assert.That((await f.DeliveriesAsync(endpoint)).Single()!["status"]!.GetValue<string>(), Is.EqualTo("failed"));

        await f.PublishAsync(new PayoutSent(Guid.NewGuid(), f.Now, "po_2", "dev_1", "2026-10", 7_000, "usd", "tr_2"));
        await f.DeliverAsync();
        Assert.That(receiver.Received, Has.Count.EqualTo(1));
        Assert.That(await f.DeliveriesAsync(endpoint), Has.Count.EqualTo(1), "a disabled endpoint gets no new deliveries");
        using var retry = await admin.PostAsync($"/v1/webhook_deliveries/{(await f.DeliveriesAsync(endpoint))[0]!["id"]!.GetValue<string>()}/retry", null);
        await retry.ShouldBeProblemAsync(409, type: "endpoint_disabled");
    }

    [Test]
    public async Task An_endpoint_failing_for_three_days_is_disabled_and_its_delivery_gives_up()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var f = WebhooksTestKit.NewFactory(settings: ("Webhooks:PollSeconds", "3600"));
        var (endpoint, _) = await f.CreateEndpointAsync(receiver.Url, "invoice.usage_issued");
        receiver.AnswerNext(Enumerable.Repeat(503, 100).ToArray());
        await f.PublishAsync(new UsageInvoiceIssued(Guid.NewGuid(), f.Now, "uin_1", "INV-202610-0001", "u1", "2026-10", 1_000, 0, 1_000, "usd", "pending"));
        for (var hour = 0; hour <= 80; hour++)
        {
            await f.DeliverAsync();
            f.Clock.Advance(TimeSpan.FromHours(1));
        }

        var delivery = (await f.DeliveriesAsync(endpoint)).Single()!;
        Assert.That(delivery["status"]!.GetValue<string>(), Is.EqualTo("failed"), delivery.ToJsonString() + " now " + f.Now.ToString("O"));
        Assert.That(delivery["attempts"]!.GetValue<int>(), Is.InRange(10, 30), "exponential backoff, capped at six hours");
        using var admin = f.CreateAdminClient();
        var disabled = await admin.GetJsonAsync($"/v1/webhook_endpoints/{endpoint}");
        Assert.That(disabled["enabled"]!.GetValue<bool>(), Is.False);
        Assert.That(disabled["disabled_reason"]!.GetValue<string>(), Does.Contain("72 hours"));

        // The operator points the endpoint at a working receiver, enables it and retries the delivery by hand.
        using var enable = await admin.PatchJsonAsync($"/v1/webhook_endpoints/{endpoint}", new { enabled = true });
        await enable.ReadJsonAsync();
        var retryReceiver = await WebhookReceiver.StartAsync();
        await using (retryReceiver)
        {
            using var moved = await admin.PatchJsonAsync($"/v1/webhook_endpoints/{endpoint}", new { url = retryReceiver.Url });
            await moved.ReadJsonAsync();
            using var retry = await admin.PostAsync($"/v1/webhook_deliveries/{delivery["id"]!.GetValue<string>()}/retry", null);
            Assert.That((await retry.ReadJsonAsync())["status"]!.GetValue<string>(), Is.EqualTo("pending"));
            await f.DeliverAsync();
            Assert.That(retryReceiver.Received, Has.Count.EqualTo(1));
            Assert.That((await f.DeliveriesAsync(endpoint)).Single()!["status"]!.GetValue<string>(), Is.EqualTo("delivered"));
        }
    }

    [Test]
    public async Task A_host_restart_between_attempts_loses_no_delivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var data = Path.Combine(Path.GetTempPath(), "monetization-webhooks-" + Guid.NewGuid().ToString("N"));
        string endpoint;
        try
        {
            var start = FakeTimeProvider.DefaultStart;
            await using (var first = WebhooksTestKit.NewFactory(data, ("Webhooks:PollSeconds", "3600")))
            {
                first.KeepData = true;
                (endpoint, _) = await first.CreateEndpointAsync(receiver.Url, "marketplace.install.canceled");
                receiver.AnswerNext(500);
                await first.PublishAsync(new PluginUninstalled(Guid.NewGuid(), first.Now, "ins_1", "plg_1", "u1"));
                await first.DeliverAsync();
                start = first.Now;
            }

            await using var second = WebhooksTestKit.NewFactory(data, ("Webhooks:PollSeconds", "3600"));
            second.Clock.SetUtcNow(start.AddMinutes(5));
            await second.DeliverAsync();
            var delivery = (await second.DeliveriesAsync(endpoint)).Single()!;
            Assert.That((delivery["status"]!.GetValue<string>(), delivery["attempts"]!.GetValue<int>()), Is.EqualTo(("delivered", 2)));
            Assert.That(receiver.Received.Select(r => r.Id).Distinct().Count(), Is.EqualTo(1));
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    [Test]
    public async Task During_a_rotation_both_secrets_sign()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var f = WebhooksTestKit.NewFactory();
        var (endpoint, old) = await f.CreateEndpointAsync(receiver.Url, "marketplace.install.activated");
        using var admin = f.CreateAdminClient();
        using var rotated = await admin.PostAsync($"/v1/webhook_endpoints/{endpoint}/rotate_secret", null);
        var next = (await rotated.ReadJsonAsync())["secret"]!.GetValue<string>();
        await f.PublishAsync(new PluginInstalled(Guid.NewGuid(), f.Now, "ins_1", "plg_1", "dev_1", "u1", "monthly", "active"));
        await f.PublishAsync(new PluginInstalled(Guid.NewGuid(), f.Now, "ins_2", "plg_1", "dev_1", "u2", "monthly", "pending"));
        await f.DeliverAsync();
        var hook = receiver.Received.Single();
        Assert.That(hook.Signature.Split(' '), Has.Length.EqualTo(2));
        Assert.That(StandardWebhookSignature.Verify(old, hook.Id, hook.Timestamp, hook.Body, hook.Signature), Is.True);
        Assert.That(StandardWebhookSignature.Verify(next, hook.Id, hook.Timestamp, hook.Body, hook.Signature), Is.True);

        f.Clock.Advance(TimeSpan.FromHours(25));
        await f.PublishAsync(new PluginInstalled(Guid.NewGuid(), f.Now, "ins_3", "plg_1", "dev_1", "u3", "monthly", "active"));
        await f.DeliverAsync();
        var later = receiver.Received.Last();
        Assert.That(StandardWebhookSignature.Verify(old, later.Id, later.Timestamp, later.Body, later.Signature), Is.False, "the old secret stops signing after 24 h");
        Assert.That(StandardWebhookSignature.Verify(next, later.Id, later.Timestamp, later.Body, later.Signature), Is.True);
    }

    [Test]
    public async Task A_slow_endpoint_does_not_hold_up_another()
    {
        await using var slow = await WebhookReceiver.StartAsync();
        await using var fast = await WebhookReceiver.StartAsync();
        slow.Delay = TimeSpan.FromSeconds(5); // longer than the 2 s request timeout of the test Host
        await using var f = WebhooksTestKit.NewFactory();
        var (slowEndpoint, _) = await f.CreateEndpointAsync(slow.Url, "usage.threshold_crossed");
        await f.CreateEndpointAsync(fast.Url, "usage.threshold_crossed");
        for (var i = 0; i < 6; i++)
        {
            await f.PublishAsync(new UsageThresholdCrossed(Guid.NewGuid(), f.Now, $"u{i}", "tokens", "2026-11", 80, 80_000, 100_000, false));
        }

        // The background worker sends: the fast receiver has all six long before the slow one's first answer would come.
        Assert.That(await WebhooksTestKit.EventuallyAsync(() => fast.Received.Count == 6, seconds: 1.5), Is.True, $"fast receiver got {fast.Received.Count}");
        Assert.That(await WebhooksTestKit.EventuallyAsync(() => f.DeliveriesAsync(slowEndpoint).GetAwaiter().GetResult().Any(d => d!["last_error"] is not null), seconds: 10), Is.True);
        var timedOut = (await f.DeliveriesAsync(slowEndpoint)).First(d => d!["last_error"] is not null)!;
        Assert.That(timedOut["last_error"]!.GetValue<string>(), Does.Contain("No answer within 2 s"));
    }
}
