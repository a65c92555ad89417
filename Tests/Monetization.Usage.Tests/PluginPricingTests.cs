using System.Text.Json.Nodes;
using Monetization.IntegrationEvents.Marketplace;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.IntegrationEvents.Usage;
using Monetization.TestKit;
using static Monetization.Usage.Tests.UsageFactory;

namespace Monetization.Usage.Tests;

/// <summary>Issue 20: a usage-priced plugin's usage is billed at the plugin's price, and its revenue is announced when paid.</summary>
public sealed class PluginPricingTests
{
    private static readonly DateTimeOffset October = new(2026, 10, 15, 12, 0, 0, TimeSpan.Zero);

    private static async Task<JsonNode> RunAsync(UsageFactory f, string period = "2026-10")
    {
        using var response = await f.CreateAdminClient().PostJsonAsync("/v1/usage/invoices", new { period });
        return await response.ReadJsonAsync();
    }

    private static Task PriceAsync(UsageFactory f, string plugin, string unit, string? input = null, string? output = null, DateTimeOffset? at = null) =>
        f.PublishAsync(new PluginUsagePriced(Guid.NewGuid(), at ?? f.Now, plugin, "tokens", "usd", unit, input, output));

    private static async Task<JsonArray> LinesAsync(UsageFactory f, string user = "u1") =>
        (await f.CreateReadClient().GetJsonAsync($"/v1/usage/{user}/invoices"))["data"]![0]!["lines"]!.AsArray();

    [Test]
    public async Task A_plugins_usage_is_billed_at_its_own_price_and_other_usage_at_the_models_price_each_line_naming_the_price()
    {
        await using var f = new UsageFactory();
        await f.LinkCustomerAsync("u1");
        await PriceAsync(f, "plg_flat", "1.5");
        await PriceAsync(f, "plg_split", "9", input: "0.25", output: "2.125");
        await f.IngestAsync(
            Tokens("e1", "u1", "gpt-4o", 1_000_000, 100_000, October),
            Tokens("e2", "u1", "gpt-4o", 1_000, 1, October, plugin: "plg_flat"),
            Tokens("e3", "u1", "mini", 10_000, 2_000, October, plugin: "plg_split"),
            Tokens("e4", "u1", "gpt-4o", 5_000, 0, October, plugin: "plg_unpriced"));
        var invoice = (await RunAsync(f))["invoices"]!.AsArray().Single()!;
        var lines = (await LinesAsync(f)).ToDictionary(l => l!["plugin_id"]?.GetValue<string>() ?? "-", l => l!);

        // 1,001 tokens × 1.5 / 1,000 = 1.5015 → 2 (rounded once, half away from zero).
        Assert.That(Shape(lines["plg_flat"]), Is.EqualTo(("plugin", "1.5", "1.5", 2L)));
        Assert.That(lines["plg_flat"]["description"]!.GetValue<string>(), Does.Contain("at the plugin's price 1.5 per 1,000 tokens"));

        // 10,000 × 0.25 / 1,000 + 2,000 × 2.125 / 1,000 = 2.5 + 4.25 = 6.75 → 7 (not 3 + 4 = 7 by luck: rounded once on the sum).
        Assert.That(Shape(lines["plg_split"]), Is.EqualTo(("plugin_tokens", "0.25", "2.125", 7L)));

        // Outside plugins (and a plugin Marketplace never priced): the model's prices, per 1,000 tokens in cents.
        Assert.That(Shape(lines["-"]), Is.EqualTo(("model", "0.25", "1", 350L)));
        Assert.That(Shape(lines["plg_unpriced"]), Is.EqualTo(("model", "0.25", "1", 1L)));
        Assert.That(invoice["subtotal"]!.GetValue<long>(), Is.EqualTo(2 + 7 + 350 + 1));
    }

    [Test]
    public async Task The_newest_plugin_price_wins_whatever_order_the_events_arrive_in()
    {
        await using var f = new UsageFactory();
        await f.LinkCustomerAsync("u1");
        await PriceAsync(f, "plg_x", "10", at: f.Now);
        await PriceAsync(f, "plg_x", "1000", at: f.Now.AddMinutes(-5));
        await f.IngestAsync(Tokens("e1", "u1", "gpt-4o", 1_000, 0, October, plugin: "plg_x"));
        await RunAsync(f);
        Assert.That(Shape((await LinesAsync(f)).Single()!), Is.EqualTo(("plugin", "10", "10", 10L)));
    }

    [Test]
    public async Task Revenue_is_announced_when_the_invoice_is_paid_and_stays_pending_while_it_is_not()
    {
        await using var f = new UsageFactory();
        await PriceAsync(f, "plg_x", "100");
        await f.IngestAsync(Tokens("e1", "u1", "gpt-4o", 2_000, 0, October, plugin: "plg_x"));

        // No Stripe customer yet: invoiced, not paid. The developer's share is pending, never earned.
        Assert.That((await RunAsync(f))["invoices"]![0]!["status"]!.GetValue<string>(), Is.EqualTo("awaiting_customer"));
        Assert.That(await f.OutboxEventsAsync<UsageCharged>(), Is.Empty);
        var pending = (await f.OutboxEventsAsync<UsageChargeBilled>()).Single();
        Assert.That((pending.PluginId, pending.Amount, pending.PaymentFailed), Is.EqualTo(("plg_x", 200L, false)));

        // The payment is declined: still pending, now marked payment_failed.
        await f.LinkCustomerAsync("u1");
        f.Stripe.DeclinePayments = 1;
        Assert.That((await RunAsync(f))["invoices"]![0]!["status"]!.GetValue<string>(), Is.EqualTo("payment_failed"));
        Assert.That(await f.OutboxEventsAsync<UsageCharged>(), Is.Empty);
        Assert.That((await f.OutboxEventsAsync<UsageChargeBilled>()).Last().PaymentFailed, Is.True);

        // Stripe collects it later (its retries): InvoicePaid of that Stripe invoice makes the usage invoice paid and earned, once.
        // Stripe's invoice carries the metadata the job set on it; without metadata[usage_invoice_id] the event is not ours.
        var created = f.Stripe.CreatedInvoices.Values.Single();
        var stripeInvoice = created.Id;
        var paid = new InvoicePaid(Guid.NewGuid(), f.Now, "u1", "cus_test", stripeInvoice, "sub_1", "manual", 200, "usd", "ch_1", "pi_1", [], created.Request.Metadata!);
        await f.PublishAsync(paid with { EventId = Guid.NewGuid(), Metadata = new Dictionary<string, string>() });
        Assert.That(await f.OutboxEventsAsync<UsageCharged>(), Is.Empty, "an invoice without metadata[usage_invoice_id] is not a usage invoice");
        await f.PublishAsync(paid);
        await f.PublishAsync(paid with { EventId = Guid.NewGuid() });
        var charged = (await f.OutboxEventsAsync<UsageCharged>()).Single();
        Assert.That((charged.PluginId, charged.Amount, charged.StripeInvoiceId, charged.ChargeId), Is.EqualTo(("plg_x", 200L, stripeInvoice, pending.ChargeId)));
        var invoice = (await f.CreateReadClient().GetJsonAsync("/v1/usage/u1/invoices"))["data"]![0]!;
        Assert.That(invoice["status"]!.GetValue<string>(), Is.EqualTo("paid"));
        await RunAsync(f);
        Assert.That(f.Stripe.CreatedInvoices.Values.Single().Payments, Is.EqualTo(0), "a paid invoice is not charged again");
        Assert.That(await f.OutboxEventsAsync<UsageCharged>(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Credits_count_as_paid_so_an_invoice_paid_by_credits_earns_at_once()
    {
        await using var f = new UsageFactory();
        await PriceAsync(f, "plg_x", "100");
        await f.IngestAsync(Tokens("e1", "u1", "gpt-4o", 2_000, 0, October, plugin: "plg_x"));
        using (await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/credits/grants", new { amount = 500, currency = "usd", reason = "prepaid" }))
        {
        }

        var invoice = (await RunAsync(f))["invoices"]![0]!;
        Assert.That((invoice["status"]!.GetValue<string>(), invoice["credits_applied"]!.GetValue<long>()), Is.EqualTo(("paid", 200L)));
        var charged = (await f.OutboxEventsAsync<UsageCharged>()).Single();
        Assert.That((charged.Amount, charged.StripeInvoiceId), Is.EqualTo((200L, (string?)null)));
        Assert.That(await f.OutboxEventsAsync<UsageChargeBilled>(), Is.Empty);
    }

    [Test]
    public async Task Usage_invoices_are_paged_newest_period_first()
    {
        await using var f = new UsageFactory();
        f.Clock.SetUtcNow(new DateTimeOffset(2026, 9, 10, 0, 0, 0, TimeSpan.Zero));
        await f.IngestAsync(Tokens("sep", "u1", "gpt-4o", 1_000_000, 0, f.Now));
        f.Clock.SetUtcNow(new DateTimeOffset(2026, 10, 2, 0, 0, 0, TimeSpan.Zero));
        await RunAsync(f, "2026-09");
        await f.IngestAsync(Tokens("oct", "u1", "gpt-4o", 1_000_000, 0, f.Now));
        f.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero));
        await RunAsync(f);

        var read = f.CreateReadClient();
        var first = await read.GetJsonAsync("/v1/usage/u1/invoices?limit=1");
        Assert.That((first["data"]![0]!["period"]!.GetValue<string>(), first["has_more"]!.GetValue<bool>()), Is.EqualTo(("2026-10", true)));
        var next = await read.GetJsonAsync($"/v1/usage/u1/invoices?limit=1&starting_after={first["data"]![0]!["usage_invoice_id"]!.GetValue<string>()}");
        Assert.That((next["data"]![0]!["period"]!.GetValue<string>(), next["has_more"]!.GetValue<bool>()), Is.EqualTo(("2026-09", false)));
        using var bad = await read.GetAsync("/v1/usage/u1/invoices?limit=101");
        await bad.ShouldBeProblemAsync(422, "limit");
        using var unknown = await read.GetAsync("/v1/usage/u1/invoices?starting_after=uin_nope");
        await unknown.ShouldBeProblemAsync(422, "starting_after");
    }

    private static (string Source, string Input, string Output, long Amount) Shape(JsonNode line) =>
        (line["price_source"]!.GetValue<string>(), line["input_unit_amount_decimal"]!.GetValue<string>(), line["output_unit_amount_decimal"]!.GetValue<string>(), line["amount"]!.GetValue<long>());
}
