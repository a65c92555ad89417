using System.Text.Json.Nodes;
using Monetization.IntegrationEvents.Marketplace;
using Monetization.IntegrationEvents.Usage;
using Monetization.TestKit;

namespace Monetization.Marketplace.Tests;

/// <summary>Issue 20: usage revenue is earned when paid, shown as uncollected before, and listed event by event.</summary>
public sealed class UsageRevenueTests
{
    private static UsageChargeBilled PendingFor(MarketplaceHarness h, string plugin, string charge, long amount, bool failed) =>
        new(Guid.NewGuid(), h.Factory.Now, charge, "uin_1", "u1", plugin, "2026-11", 1_000, amount, "usd", failed);

    [Test]
    public async Task An_unpaid_usage_charge_is_uncollected_in_earnings_never_revenue_until_UsageCharged()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync(bps: 9_000);
        var plugin = await h.PublishPluginAsync("per-token", new { model = "usage", unit = "tokens", unit_amount_decimal = "2.5" });

        await h.Factory.PublishAsync(PendingFor(h, plugin, "uil_1", 1_001, failed: false));
        await h.Factory.PublishAsync(PendingFor(h, plugin, "uil_1", 1_001, failed: true));
        var earnings = await h.EarningsAsync();
        Assert.That(earnings["totals"]!.AsArray(), Is.Empty, "nothing is earned before the invoice is paid");
        var uncollected = earnings["uncollected"]!.AsArray().Single()!;
        Assert.That((uncollected.Str("currency"), uncollected.Long("gross"), uncollected.Long("developer_share"), uncollected.Long("charges"), uncollected.Long("payment_failed")),
            Is.EqualTo(("usd", 1_001L, 900L, 1L, 1L)));
        Assert.That((await h.Read.GetJsonAsync("/v1/marketplace/developers/dev_1/revenue_events"))["data"]!.AsArray(), Is.Empty);

        await h.Factory.PublishAsync(h.UsageChargedFor("u1", plugin, "uil_1", 1_001) with { StripeInvoiceId = "in_usage_1" });
        earnings = await h.EarningsAsync();
        Assert.That(earnings["uncollected"]!.AsArray(), Is.Empty);
        Assert.That((earnings.Currency("usd").Long("gross"), earnings.Currency("usd").Long("developer_share")), Is.EqualTo((1_001L, 900L)));

        // A late UsageChargeBilled (delivered after the charge was paid) changes nothing.
        await h.Factory.PublishAsync(PendingFor(h, plugin, "uil_1", 1_001, failed: true));
        Assert.That((await h.EarningsAsync())["uncollected"]!.AsArray(), Is.Empty);

        var events = (await h.Read.GetJsonAsync("/v1/marketplace/developers/dev_1/revenue_events?period=2026-11"))["data"]!.AsArray();
        var evt = events.Single()!;
        Assert.That((evt.Str("kind"), evt.Str("source_id"), evt.Long("gross"), evt.Long("developer_share") + evt.Long("platform_share"), evt.Str("stripe_invoice_id")),
            Is.EqualTo(("usage", "usage:uil_1", 1_001L, 1_001L, "in_usage_1")));
    }

    [Test]
    public async Task A_usage_plugins_price_is_announced_to_Usage_on_publish_and_on_change()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("per-token", new { model = "usage", unit = "tokens", unit_amount_decimal = "2.50" });
        using (var update = await h.Admin.PatchJsonAsync($"/v1/marketplace/plugins/{plugin}",
            new { pricing = new { model = "usage", unit = "tokens", unit_amount_decimal = "2.5", input_unit_amount_decimal = "1", output_unit_amount_decimal = "4.000" } }))
        {
            var body = await update.ReadJsonAsync();
            Assert.That((body["pricing"]!.Str("input_unit_amount_decimal"), body["pricing"]!.Str("output_unit_amount_decimal")), Is.EqualTo(("1", "4")));
        }

        var announced = (await h.Factory.OutboxEventsAsync<PluginUsagePriced>()).Where(e => e.PluginId == plugin).ToList();
        Assert.That(announced.Select(e => (e.UnitAmountDecimal, e.InputUnitAmountDecimal, e.OutputUnitAmountDecimal, e.Currency)),
            Is.EqualTo(new[] { ("2.5", (string?)null, (string?)null, "usd"), ("2.5", "1", "4", "usd") }));
        await h.PublishPluginAsync("flat-monthly", new { model = "monthly", amount = 500, currency = "usd" });
        Assert.That((await h.Factory.OutboxEventsAsync<PluginUsagePriced>()).Count, Is.EqualTo(2), "only usage-priced plugins are announced");
    }

    [TestCase("1", null, "output_unit_amount_decimal")]
    [TestCase(null, "2", "input_unit_amount_decimal")]
    [TestCase("-1", "2", "input_unit_amount_decimal")]
    [TestCase("1", "0.1234567890123", "output_unit_amount_decimal")]
    public async Task Input_and_output_prices_go_together_and_are_positive_decimals(string? input, string? output, string field)
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        using var response = await h.Admin.PostJsonAsync("/v1/marketplace/plugins", new
        {
            developer_id = "dev_1",
            slug = "bad-price",
            name = "Bad price",
            pricing = new { model = "usage", unit = "tokens", unit_amount_decimal = "1", input_unit_amount_decimal = input, output_unit_amount_decimal = output },
        });
        await response.ShouldBeProblemAsync(422, "pricing." + field);
    }

    [Test]
    public async Task Revenue_events_are_paged_newest_first_and_bad_queries_are_422()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("per-token", new { model = "usage", unit = "tokens", unit_amount_decimal = "1" });
        for (var i = 1; i <= 5; i++)
        {
            await h.Factory.PublishAsync(h.UsageChargedFor("u1", plugin, $"uil_{i}", 100 * i));
            h.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var seen = new List<long>();
        string? after = null;
        bool more;
        do
        {
            var page = await h.Read.GetJsonAsync("/v1/marketplace/developers/dev_1/revenue_events?limit=2" + (after is null ? "" : $"&starting_after={after}"));
            var data = page["data"]!.AsArray();
            seen.AddRange(data.Select(e => e!.Long("gross")));
            more = page["has_more"]!.GetValue<bool>();
            after = data[^1]!.Str("id");
        }
        while (more);
        Assert.That(seen, Is.EqualTo(new long[] { 500, 400, 300, 200, 100 }));
        Assert.That((await h.Read.GetJsonAsync("/v1/marketplace/developers/dev_1/revenue_events?period=2026-10"))["data"]!.AsArray(), Is.Empty);

        using (var period = await h.Read.GetAsync("/v1/marketplace/developers/dev_1/revenue_events?period=2026-13"))
        {
            await period.ShouldBeProblemAsync(422, "period");
        }

        using (var limit = await h.Read.GetAsync("/v1/marketplace/developers/dev_1/revenue_events?limit=500"))
        {
            await limit.ShouldBeProblemAsync(422, "limit");
        }

        using (var cursor = await h.Read.GetAsync("/v1/marketplace/developers/dev_1/revenue_events?starting_after=rev_nope"))
        {
            await cursor.ShouldBeProblemAsync(422, "starting_after");
        }

        using var missing = await h.Read.GetAsync("/v1/marketplace/developers/dev_nobody/revenue_events");
        await missing.ShouldBeProblemAsync(404);
    }
}
