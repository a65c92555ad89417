using System.Net;
using System.Text.Json.Nodes;

namespace Monetization.Stripe.Tests.Emulator;

[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class WebhookDeliveryTests
{
    [Test]
    public async Task Duplicate_switch_delivers_each_event_twice()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var price = await h.CreatePriceAsync(2000);
        var mark = await h.FlushAsync();
        var (status, settings) = await h.TestAsync(HttpMethod.Post, "_test/webhooks", new { duplicate = true });
        Assert.That((bool)settings["duplicate"]!, Is.True);

        await h.SubscribeAsync((string)price["id"]!);

        var delivered = h.Receiver.Since(mark);
        var pairs = delivered.Chunk(2).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(delivered, Has.Count.EqualTo(22));
            Assert.That(pairs.All(p => p.Length == 2 && p[0].EventId == p[1].EventId && p[0].Body == p[1].Body), Is.True);
        });
    }

    [Test]
    public async Task Shuffle_switch_delivers_the_same_events_in_a_different_order()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var price = await h.CreatePriceAsync(2000);
        var mark = await h.FlushAsync();
        await h.TestAsync(HttpMethod.Post, "_test/webhooks", new { shuffle = true });
        string[] ordered =
        [
            "customer.created", "customer.subscription.created", "invoice.created", "invoice.finalized", "charge.succeeded",
            "payment_intent.succeeded", "invoice.paid", "invoice.payment_succeeded", "invoice_payment.paid", "checkout.session.completed", "customer.subscription.updated",
        ];

        var shuffled = false;
        for (var attempt = 0; attempt < 5 && !shuffled; attempt++)
        {
            mark = h.Receiver.Count;
            await h.SubscribeAsync((string)price["id"]!);
            var types = h.Receiver.Since(mark).Select(d => d.Type).ToList();
            Assert.That(types, Is.EquivalentTo(ordered));
            shuffled = !types.SequenceEqual(ordered);
        }

        Assert.That(shuffled, Is.True, "a burst of 10 events came in creation order five times in a row");
    }

    [Test]
    public async Task Failed_delivery_is_retried_in_the_background()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var mark = await h.FlushAsync();
        h.Receiver.RespondWith(500);

        await h.PostAsync("v1/customers", ("email", "retry@example.com"));

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (h.Receiver.Since(mark).Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var (_, log) = await h.TestAsync(HttpMethod.Get, "_test/events/delivered");
        var attempts = log["data"]!.AsArray().Select(a => (Status: (int)a!["status"]!, Attempt: (int)a["attempt"]!, Type: (string?)a["type"])).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(h.Receiver.Since(mark).Select(d => d.Type), Is.EqualTo(new[] { "customer.created", "customer.created" }));
            Assert.That(attempts, Is.EqualTo(new[] { (500, 1, (string?)"customer.created"), (200, 2, (string?)"customer.created") }));
        });
    }

    [Test]
    public async Task Webhook_handler_can_call_the_api_back_while_a_test_action_delivers()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var price = await h.CreatePriceAsync(2000);
        await h.FlushAsync();
        var fetched = new List<string>();
        h.Receiver.OnDelivery = async ctx =>
        {
            var (status, json, _) = await h.SendAsync(HttpMethod.Get, "v1/events", [("limit", "1")]);
            lock (fetched)
            {
                fetched.Add(status + ":" + (string?)json["object"]);
            }
        };

        var completeTask = h.SubscribeAsync((string)price["id"]!);
        var finished = await Task.WhenAny(completeTask, Task.Delay(TimeSpan.FromSeconds(20)));

        Assert.Multiple(() =>
        {
            Assert.That(finished, Is.SameAs(completeTask), "the /_test action deadlocked");
            Assert.That(fetched, Has.Count.EqualTo(11));
            Assert.That(fetched.Distinct(), Is.EqualTo(new[] { "OK:list" }));
        });
    }

    [Test]
    public async Task Events_endpoint_lists_newest_first_and_retrieves_one()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var price = await h.CreatePriceAsync(2000);
        await h.SubscribeAsync((string)price["id"]!);

        var all = await h.GetAsync("v1/events", ("limit", "100"));
        var invoices = await h.GetAsync("v1/events", ("type", "invoice.*"));
        var first = (string)all["data"]![0]!["id"]!;
        var one = await h.GetAsync($"v1/events/{first}");
        var types = all["data"]!.AsArray().Select(e => (string?)e!["type"]).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(types[0], Is.EqualTo("customer.subscription.updated"));
            Assert.That(types[^1], Is.EqualTo("product.created"));
            Assert.That(invoices["data"]!.AsArray().All(e => ((string)e!["type"]!).StartsWith("invoice.", StringComparison.Ordinal)), Is.True);
            Assert.That(invoices["data"]!.AsArray(), Has.Count.EqualTo(4));
            Assert.That((string?)one["id"], Is.EqualTo(first));
            Assert.That((bool)one["livemode"]!, Is.False);
            Assert.That((string?)one["object"], Is.EqualTo("event"));
        });
    }
}
