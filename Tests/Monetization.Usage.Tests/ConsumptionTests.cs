using Monetization.IntegrationEvents.Usage;
using Monetization.TestKit;
using static Monetization.Usage.Tests.UsageFactory;

namespace Monetization.Usage.Tests;

public sealed class ConsumptionTests
{
    private static object[] Calls(string user, int from, int count, DateTimeOffset at) =>
        Enumerable.Range(from, count).Select(i => Event($"{user}-call-{i}", user, "api_calls", 1, at, new { endpoint = i % 2 == 0 ? "/a" : "/b" })).ToArray();

    [Test]
    public async Task Free_user_sees_soft_then_hard_alerts_with_the_billing_header()
    {
        await using var f = new UsageFactory();
        var client = f.CreateReadClient();
        using (var none = await client.GetAsync("/v1/usage/u1/consumption"))
        {
            var body = await none.ReadJsonAsync();
            Assert.That(none.Headers.Contains("X-Billing-Alert"), Is.False);
            Assert.That(body["plan"]!.GetValue<string>(), Is.EqualTo("free"));
            Assert.That(body["period"]!.GetValue<string>(), Is.EqualTo("2026-11"));
        }

        await f.IngestAsync(Calls("u1", 0, 240, f.Now));
        using (var soft = await client.GetAsync("/v1/usage/u1/consumption?month=2026-11"))
        {
            var body = await soft.ReadJsonAsync();
            Assert.That(soft.Headers.GetValues("X-Billing-Alert").Single(), Is.EqualTo("soft_limit_warning"));
            var api = body["meters"]!.AsArray().Single(m => m!["meter"]!.GetValue<string>() == "api_calls")!;
            Assert.That(api["used"]!.GetValue<long>(), Is.EqualTo(240));
            Assert.That(api["limit"]!.GetValue<long>(), Is.EqualTo(300));
            Assert.That(api["remaining"]!.GetValue<long>(), Is.EqualTo(60));
            Assert.That(api["percent"]!.GetValue<decimal>(), Is.EqualTo(80m));
            Assert.That(api["breakdown"]!["endpoint"]!.AsArray().Select(b => b!["used"]!.GetValue<long>()), Is.EqualTo(new[] { 120L, 120L }));
            Assert.That(body["alerts"]!.AsArray().Single()!["level"]!.GetValue<string>(), Is.EqualTo("soft"));
        }

        await f.IngestAsync(Calls("u1", 240, 60, f.Now));
        using var hard = await client.GetAsync("/v1/usage/u1/consumption");
        var hardBody = await hard.ReadJsonAsync();
        Assert.That(hard.Headers.GetValues("X-Billing-Alert").Single(), Is.EqualTo("hard_limit_reached"));
        Assert.That(hardBody["alerts"]!.AsArray().Single()!["threshold"]!.GetValue<int>(), Is.EqualTo(100));
    }

    [TestCase("2026-13")]
    [TestCase("2026-1")]
    [TestCase("november")]
    [TestCase("1999-12")]
    public async Task A_malformed_month_is_422(string month)
    {
        await using var f = new UsageFactory();
        using var response = await f.CreateReadClient().GetAsync($"/v1/usage/u1/consumption?month={month}");
        await response.ShouldBeProblemAsync(422, field: "month");
    }

    [Test]
    public async Task Cost_so_far_prices_each_model_line_once_and_breaks_down_by_model_and_plugin()
    {
        await using var f = new UsageFactory();
        await f.IngestAsync(
            Tokens("a", "u1", "gpt-4o", 1_000_000, 100_000, f.Now),
            Tokens("b", "u1", "gpt-4o", 1_000, 0, f.Now, plugin: "plg_x"),
            Tokens("c", "u1", "gpt-4o", 1_000, 0, f.Now, plugin: "plg_x"),
            Tokens("d", "u1", "brand-new-model", 500_000, 0, f.Now));
        var body = await f.CreateReadClient().GetJsonAsync("/v1/usage/u1/consumption");
        var tokens = body["meters"]!.AsArray().Single(m => m!["meter"]!.GetValue<string>() == "tokens")!;

        // gpt-4o: 1M in × 2.50 + 100k out × 10.00 = 3.50 USD = 350; plugin line 2,000 in × 2.50 / 1M = 0.5 cent → 1 (rounded once, half away);
        // unknown model: default 1.00 / M → 500k = 0.50 = 50.
        Assert.That(tokens["cost"]!.GetValue<long>(), Is.EqualTo(350 + 1 + 50));
        Assert.That(body["total_cost"]!.GetValue<long>(), Is.EqualTo(401));
        Assert.That(body["currency"]!.GetValue<string>(), Is.EqualTo("usd"));
        var models = tokens["breakdown"]!["model"]!.AsArray();
        var gpt = models.Single(m => m!["value"]!.GetValue<string>() == "gpt-4o")!;
        Assert.That((gpt["used"]!.GetValue<long>(), gpt["input_tokens"]!.GetValue<long>(), gpt["output_tokens"]!.GetValue<long>(), gpt["cost"]!.GetValue<long>()),
            Is.EqualTo((1_102_000L, 1_002_000L, 100_000L, 351L)));
        var plugin = tokens["breakdown"]!["plugin_id"]!.AsArray().Single()!;
        Assert.That((plugin["value"]!.GetValue<string>(), plugin["used"]!.GetValue<long>(), plugin["cost"]!.GetValue<long>()), Is.EqualTo(("plg_x", 2_000L, 1L)));
        Assert.That(tokens["limit"]!.GetValue<long>(), Is.EqualTo(100_000));
    }

    [Test]
    public async Task Another_month_is_answered_from_its_own_rollups()
    {
        await using var f = new UsageFactory();
        await f.IngestAsync(Calls("u1", 0, 3, new DateTimeOffset(2026, 10, 30, 0, 0, 0, TimeSpan.Zero)));
        await f.IngestAsync(Calls("u1", 3, 1, f.Now));
        var october = await f.CreateReadClient().GetJsonAsync("/v1/usage/u1/consumption?month=2026-10");
        var june = await f.CreateReadClient().GetJsonAsync("/v1/usage/u1/consumption?month=2026-06");
        Assert.That(october["meters"]!.AsArray().Single(m => m!["meter"]!.GetValue<string>() == "api_calls")!["used"]!.GetValue<long>(), Is.EqualTo(3));
        Assert.That(june["meters"]!.AsArray().All(m => m!["used"]!.GetValue<long>() == 0), Is.True);
    }

    [Test]
    public async Task Check_allows_under_the_limit_and_denies_at_the_hard_limit()
    {
        await using var f = new UsageFactory();
        var client = f.CreateReadClient();
        await f.IngestAsync(Calls("u1", 0, 299, f.Now));
        using (var one = await client.PostJsonAsync("/v1/usage/u1/check", new { meter = "api_calls", quantity = 1 }))
        {
            var body = await one.ReadJsonAsync();
            Assert.That((body["allowed"]!.GetValue<bool>(), body["remaining"]!.GetValue<long>(), body["limit"]!.GetValue<long>()), Is.EqualTo((true, 1L, 300L)));
        }

        using (var two = await client.PostJsonAsync("/v1/usage/u1/check", new { meter = "api_calls", quantity = 2 }))
        {
            Assert.That((await two.ReadJsonAsync())["allowed"]!.GetValue<bool>(), Is.False);
        }

        await f.IngestAsync(Calls("u1", 299, 1, f.Now));
        using (var atLimit = await client.PostJsonAsync("/v1/usage/u1/check", new { meter = "api_calls" }))
        {
            var body = await atLimit.ReadJsonAsync();
            Assert.That((body["allowed"]!.GetValue<bool>(), body["remaining"]!.GetValue<long>()), Is.EqualTo((false, 0L)));
        }

        await f.SetPlanAsync("u1", "enterprise", 1, apiCalls: null, tokens: null);
        using var unlimited = await client.PostJsonAsync("/v1/usage/u1/check", new { meter = "api_calls", quantity = 1_000_000 });
        var unlimitedBody = await unlimited.ReadJsonAsync();
        Assert.That(unlimitedBody["allowed"]!.GetValue<bool>(), Is.True);
        Assert.That(unlimitedBody["limit"], Is.Null);
    }

    [Test]
    public async Task Check_refuses_unknown_meters_and_negative_quantities()
    {
        await using var f = new UsageFactory();
        using var unknown = await f.CreateReadClient().PostJsonAsync("/v1/usage/u1/check", new { meter = "bananas" });
        await unknown.ShouldBeProblemAsync(422, field: "meter");
        using var negative = await f.CreateReadClient().PostJsonAsync("/v1/usage/u1/check", new { meter = "tokens", quantity = -1 });
        await negative.ShouldBeProblemAsync(422, field: "quantity");
        using var missing = await f.CreateReadClient().PostJsonAsync("/v1/usage/u1/check", new { quantity = 1 });
        await missing.ShouldBeProblemAsync(422, field: "meter");
    }

    [Test]
    public async Task Each_threshold_is_published_once_per_period_and_again_in_a_new_period()
    {
        await using var f = new UsageFactory();
        await f.IngestAsync(Calls("u1", 0, 239, f.Now));
        Assert.That(await f.OutboxEventsAsync<UsageThresholdCrossed>(), Is.Empty);
        await f.IngestAsync(Calls("u1", 239, 1, f.Now));
        await f.IngestAsync(Calls("u1", 240, 10, f.Now));
        await f.IngestAsync(Calls("u1", 250, 100, f.Now));
        await f.IngestAsync(Calls("u1", 350, 100, f.Now));
        var events = await f.OutboxEventsAsync<UsageThresholdCrossed>();
        Assert.That(events.Select(e => (e.Meter, e.Period, e.Threshold, e.Resolved)), Is.EqualTo(new[] { ("api_calls", "2026-11", 80, false), ("api_calls", "2026-11", 100, false) }));
        Assert.That(events.Select(e => (e.Used, e.Limit)), Is.EqualTo(new[] { (240L, 300L), (350L, 300L) }));

        f.Clock.Advance(TimeSpan.FromDays(30));
        await f.IngestAsync(Calls("u1", 1_000, 300, f.Now));
        var december = (await f.OutboxEventsAsync<UsageThresholdCrossed>()).Where(e => e.Period == "2026-12").ToList();
        Assert.That(december.Select(e => e.Threshold), Is.EquivalentTo(new[] { 80, 100 }));
    }

    [Test]
    public async Task Concurrent_batches_crossing_a_threshold_publish_it_once()
    {
        await using var f = new UsageFactory();
        _ = f.Server;
        var tasks = Enumerable.Range(0, 8).Select(async batch =>
        {
            using var response = await f.CreateAdminClient().PostJsonAsync("/v1/usage/events", new { events = Calls("u1", batch * 100, 100, f.Now) });
            await response.ReadJsonAsync(202);
        });
        await Task.WhenAll(tasks);
        var events = await f.OutboxEventsAsync<UsageThresholdCrossed>();
        Assert.That(events.Select(e => e.Threshold), Is.EquivalentTo(new[] { 80, 100 }));
    }

    [Test]
    public async Task A_threshold_stored_before_a_restart_is_not_published_again()
    {
        var data = Path.Combine(Path.GetTempPath(), "monetization-usage-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var first = new UsageFactory(dataDirectory: data))
            {
                await first.IngestAsync(Calls("u1", 0, 250, first.Now));
                Assert.That((await first.OutboxEventsAsync<UsageThresholdCrossed>()).Select(e => e.Threshold), Is.EqualTo(new[] { 80 }));
            }

            // A new process knows no alert in memory: the alert table's key keeps the crossing exactly once.
            await using var restarted = new UsageFactory(dataDirectory: data);
            await restarted.IngestAsync(Calls("u1", 250, 20, restarted.Now));
            var events = await restarted.OutboxEventsAsync<UsageThresholdCrossed>();
            Assert.That(events.Select(e => (e.Threshold, e.Used)), Is.EqualTo(new[] { (80, 250L) }), "the stored 80 % alert is not raised again at 270");
            await restarted.IngestAsync(Calls("u1", 270, 40, restarted.Now));
            events = await restarted.OutboxEventsAsync<UsageThresholdCrossed>();
            Assert.That(events.Select(e => (e.Threshold, e.Used)), Is.EqualTo(new[] { (80, 250L), (100, 310L) }), "the next threshold still is");
        }
        finally
        {
            await MonetizationFactory.DeleteDataAsync(data);
        }
    }

    [Test]
    public async Task A_plan_upgrade_resolves_alerts_and_an_older_plan_version_is_ignored()
    {
        await using var f = new UsageFactory();
        await f.IngestAsync(Calls("u1", 0, 300, f.Now));
        await f.SetPlanAsync("u1", "pro", 2, apiCalls: 30_000, tokens: 10_000_000);
        var resolved = (await f.OutboxEventsAsync<UsageThresholdCrossed>()).Where(e => e.Resolved).ToList();
        Assert.That(resolved.Select(e => (e.Threshold, e.Used, e.Limit)), Is.EquivalentTo(new[] { (80, 300L, 30_000L), (100, 300L, 30_000L) }));

        await f.SetPlanAsync("u1", "free", 1, apiCalls: 300, tokens: 100_000);
        var body = await f.CreateReadClient().GetJsonAsync("/v1/usage/u1/consumption");
        Assert.That(body["plan"]!.GetValue<string>(), Is.EqualTo("pro"), "version 1 arrives after version 2 and is ignored");
        Assert.That(body["meters"]!.AsArray().Single(m => m!["meter"]!.GetValue<string>() == "api_calls")!["limit"]!.GetValue<long>(), Is.EqualTo(30_000));
        Assert.That((await f.OutboxEventsAsync<UsageThresholdCrossed>()).Count, Is.EqualTo(4), "no new crossing after the stale downgrade");

        await f.SetPlanAsync("u1", "starter", 3, apiCalls: 350, tokens: 100_000);
        var all = await f.OutboxEventsAsync<UsageThresholdCrossed>();
        Assert.That(all.Count, Is.EqualTo(4), "80 % of 350 is reached again, but a threshold fires once per period");
    }

    [Test]
    public async Task A_downgrade_that_puts_usage_over_a_threshold_raises_it()
    {
        await using var f = new UsageFactory();
        await f.SetPlanAsync("u1", "pro", 1, apiCalls: 30_000, tokens: 10_000_000);
        await f.IngestAsync(Calls("u1", 0, 200, f.Now));
        Assert.That(await f.OutboxEventsAsync<UsageThresholdCrossed>(), Is.Empty);
        await f.SetPlanAsync("u1", "tiny", 2, apiCalls: 220, tokens: 10_000);
        var events = await f.OutboxEventsAsync<UsageThresholdCrossed>();
        Assert.That(events.Select(e => (e.Threshold, e.Used, e.Limit, e.Resolved)), Is.EqualTo(new[] { (80, 200L, 220L, false) }));
    }
}
