using System.Globalization;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Monetization.IntegrationEvents.Usage;
using Monetization.TestKit;

namespace Monetization.EndToEnd.Tests;

/// <summary>
/// Issue 20: a usage invoice of usage-priced plugins, through the Host and the in-process Stripe emulator: voided before it
/// is paid (by <c>POST /v1/usage/invoices/{id}/void</c> or by Stripe's <c>invoice.voided</c>), its credits come back once and
/// its plugin charges leave the developer's earnings; paid then refunded, the developer revenue is reversed. The money adds
/// up to the minor unit for random usage, credits and plugin prices.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class UsageVoidTests
{
    private const string Developer = "dev_usage";
    private const string User = "user_vic";
    private const string Period = "2026-10";
    private const string PaysOffSession = "4242424242424242";
    private const string FailsOffSession = "4000000000000341";
    private static readonly DateTimeOffset October = new(2026, 10, 15, 12, 0, 0, TimeSpan.Zero);

    private static MonetizationFactory NewFactory() =>
        new MonetizationFactory()
            .WithSetting("Usage:InvoiceJob:Enabled", "false")
            .WithSetting("Marketplace:PayoutScheduleEnabled", "false")
            .WithSetting("Usage:ModelPrices:gpt-4o:Input", "2.50")
            .WithSetting("Usage:ModelPrices:gpt-4o:Output", "10.00");

    [Test]
    public async Task A_declined_usage_invoice_voided_by_the_admin_gives_credits_back_once_and_drops_the_plugin_charges()
    {
        await using var f = NewFactory();
        using var api = new Api(f);
        var plugins = await PublishUsagePluginsAsync(f, api, "12.5");
        await SubscribeAsync(f, api, FailsOffSession);
        await api.PostAsync($"/v1/usage/{User}/credits/grants", new { amount = 300, currency = "usd", reason = "welcome" }, 201);
        await IngestAsync(api, ("e1", plugins[0], 200_000, 40_000));
        var invoice = await RunInvoicesAsync(f, api);
        Assert.That(invoice.Str("status"), Is.EqualTo("payment_failed"), invoice.ToJsonString());
        var pluginLines = 240_000L * 125 / 10 / 1_000; // 240,000 tokens at 12.5 per 1,000 = 3,000
        Assert.That((invoice.Long("subtotal"), invoice.Long("credits_applied"), invoice.Long("amount_due")), Is.EqualTo((pluginLines, 300L, pluginLines - 300)));
        var uncollected = (await api.GetAsync($"/v1/marketplace/developers/{Developer}/earnings?period={Period}")).Arr("uncollected").Single()!;
        Assert.That(uncollected.Long("gross"), Is.EqualTo(pluginLines));
        Assert.That((await api.GetAsync($"/v1/usage/{User}/credits")).Long("balance"), Is.Zero);

        var voided = await api.PostAsync($"/v1/usage/invoices/{invoice.Str("usage_invoice_id")}/void", null);
        await f.SettleAsync();
        Assert.That((voided.Str("status"), voided.Long("credits_returned")), Is.EqualTo(("void", 300L)), voided.ToJsonString());
        Assert.That((await api.StripeGetAsync($"invoices/{invoice.Str("stripe_invoice_id")}")).Str("status"), Is.EqualTo("void"));
        Assert.That((await api.GetAsync($"/v1/usage/{User}/credits")).Long("balance"), Is.EqualTo(300), "the credits are back");
        var earnings = await api.GetAsync($"/v1/marketplace/developers/{Developer}/earnings?period={Period}");
        Assert.That(earnings.Arr("uncollected"), Is.Empty, "never payable: " + earnings.ToJsonString());
        Assert.That(earnings.Arr("totals"), Is.Empty, "nothing was earned");
        Assert.That((await api.GetAsync($"/v1/usage/{User}/invoices")).Arr("data").Single()!.Str("status"), Is.EqualTo("void"));

        // Stripe's invoice.voided of the same invoice (delivered by the emulator) and a second void change nothing more.
        var again = await api.PostAsync($"/v1/usage/invoices/{invoice.Str("usage_invoice_id")}/void", null);
        await f.FlushStripeWebhooksAsync();
        await f.SettleAsync();
        Assert.That(again.Long("credits_returned"), Is.EqualTo(300));
        Assert.That((await api.GetAsync($"/v1/usage/{User}/credits")).Long("balance"), Is.EqualTo(300), "given back exactly once");
        Assert.That((await f.OutboxEventsAsync<UsageChargeVoided>()).Select(e => (e.PluginId, e.Amount)), Is.EqualTo(new[] { (plugins[0], pluginLines) }));

        // Nothing is collected any more: another run leaves it void and charges nothing.
        var rerun = await RunInvoicesAsync(f, api);
        Assert.That(rerun.Str("status"), Is.EqualTo("void"));
        Assert.That((await api.StripeGetAsync($"invoices/{invoice.Str("stripe_invoice_id")}")).Long("amount_paid"), Is.Zero);
    }

    [Test]
    public async Task Stripe_voiding_the_invoice_voids_the_usage_invoice_as_the_route_does()
    {
        await using var f = NewFactory();
        using var api = new Api(f);
        var plugins = await PublishUsagePluginsAsync(f, api, "4");
        await SubscribeAsync(f, api, FailsOffSession);
        await api.PostAsync($"/v1/usage/{User}/credits/grants", new { amount = 150, currency = "usd", reason = "welcome" }, 201);
        await IngestAsync(api, ("e1", plugins[0], 100_000, 0));
        var invoice = await RunInvoicesAsync(f, api);
        Assert.That(invoice.Str("status"), Is.EqualTo("payment_failed"));

        // Voided in Stripe's Dashboard: invoice.voided reaches the Host through the webhook.
        await api.StripePostAsync($"invoices/{invoice.Str("stripe_invoice_id")}/void");
        await f.FlushStripeWebhooksAsync();
        await f.SettleAsync();
        Assert.That((await api.GetAsync($"/v1/usage/{User}/invoices")).Arr("data").Single()!.Str("status"), Is.EqualTo("void"));
        Assert.That((await api.GetAsync($"/v1/usage/{User}/credits")).Long("balance"), Is.EqualTo(150));
        Assert.That((await api.GetAsync($"/v1/marketplace/developers/{Developer}/earnings?period={Period}")).Arr("uncollected"), Is.Empty);
    }

    [Test]
    public async Task A_usage_invoice_whose_Stripe_invoice_is_still_a_draft_is_finalized_without_a_charge_and_voided()
    {
        await using var f = NewFactory();
        using var api = new Api(f);
        var plugins = await PublishUsagePluginsAsync(f, api, "4");
        await SubscribeAsync(f, api, PaysOffSession);
        await api.PostAsync($"/v1/usage/{User}/credits/grants", new { amount = 120, currency = "usd", reason = "welcome" }, 201);
        await IngestAsync(api, ("e1", plugins[0], 100_000, 0));

        // The collection stops after creating the Stripe invoice and its items: every finalize fails (more than Stripe.net retries).
        await f.FailStripeAsync("/v1/invoices/", count: 10, status: 503, method: "POST");
        var invoice = await RunInvoicesAsync(f, api);
        await f.ClearStripeFaultsAsync();
        var stripeInvoiceId = invoice.Str("stripe_invoice_id");
        Assert.That(invoice.Str("status"), Is.EqualTo("pending"), invoice.ToJsonString());
        Assert.That((await api.StripeGetAsync($"invoices/{stripeInvoiceId}")).Str("status"), Is.EqualTo("draft"));

        var voided = await api.PostAsync($"/v1/usage/invoices/{invoice.Str("usage_invoice_id")}/void", null);
        await f.FlushStripeWebhooksAsync();
        await f.SettleAsync();
        Assert.That((voided.Str("status"), voided.Long("credits_returned")), Is.EqualTo(("void", 120L)), voided.ToJsonString());
        var atStripe = await api.StripeGetAsync($"invoices/{stripeInvoiceId}");
        Assert.That((atStripe.Str("status"), atStripe.Long("amount_paid")), Is.EqualTo(("void", 0L)), "finalized without a payment attempt, then voided");
        Assert.That((await api.GetAsync($"/v1/usage/{User}/credits")).Long("balance"), Is.EqualTo(120), "the credits are back");
        Assert.That((await api.GetAsync($"/v1/marketplace/developers/{Developer}/earnings?period={Period}")).Arr("uncollected"), Is.Empty);

        // The next run collects nothing: the invoice stays void and Stripe charged nothing.
        Assert.That((await RunInvoicesAsync(f, api)).Str("status"), Is.EqualTo("void"));
        Assert.That((await api.StripeGetAsync($"invoices/{stripeInvoiceId}")).Long("amount_paid"), Is.Zero);
    }

    [Test]
    public async Task Voiding_answers_404_422_409_and_503_and_changes_nothing_then()
    {
        await using var f = NewFactory();
        using var api = new Api(f);
        var plugins = await PublishUsagePluginsAsync(f, api, "4");
        await SubscribeAsync(f, api, FailsOffSession);
        await api.PostAsync($"/v1/usage/{User}/credits/grants", new { amount = 100, currency = "usd", reason = "welcome" }, 201);
        await IngestAsync(api, ("e1", plugins[0], 100_000, 0));
        var invoice = await RunInvoicesAsync(f, api);
        var id = invoice.Str("usage_invoice_id");
        using var admin = f.CreateAdminClient();

        using (var unknown = await admin.PostAsync("/v1/usage/invoices/uin_nope/void", null))
        {
            await unknown.ShouldBeProblemAsync(404);
        }

        using (var malformed = await admin.PostAsync("/v1/usage/invoices/in_123/void", null))
        {
            await malformed.ShouldBeProblemAsync(422, "id");
        }

        using (var reader = await f.CreateReadClient().PostAsync($"/v1/usage/invoices/{id}/void", null))
        {
            Assert.That((int)reader.StatusCode, Is.EqualTo(403), "admin only");
        }

        // Stripe down: 503 stripe_unavailable, nothing voided here or there, the credits still spent; then it works.
        await f.FailStripeAsync("/v1/invoices/", count: 10, status: 503, method: "POST"); // more than Stripe.net's retries
        using (var down = await admin.PostAsync($"/v1/usage/invoices/{id}/void", null))
        {
            var problem = await down.ShouldBeProblemAsync(503);
            Assert.That(problem["type"]!.GetValue<string>(), Does.Contain("stripe_unavailable"));
        }

        await f.ClearStripeFaultsAsync();
        Assert.That((await api.StripeGetAsync($"invoices/{invoice.Str("stripe_invoice_id")}")).Str("status"), Is.EqualTo("open"));
        Assert.That((await api.GetAsync($"/v1/usage/{User}/invoices")).Arr("data").Single()!.Str("status"), Is.EqualTo("payment_failed"));
        Assert.That((await api.GetAsync($"/v1/usage/{User}/credits")).Long("balance"), Is.Zero);
        Assert.That((await api.PostAsync($"/v1/usage/invoices/{id}/void", null)).Str("status"), Is.EqualTo("void"));

        // A paid invoice is refunded, not voided.
        await using var paid = NewFactory();
        using var paidApi = new Api(paid);
        var paidPlugins = await PublishUsagePluginsAsync(paid, paidApi, "4");
        await SubscribeAsync(paid, paidApi, PaysOffSession);
        await IngestAsync(paidApi, ("e1", paidPlugins[0], 100_000, 0));
        var paidInvoice = await RunInvoicesAsync(paid, paidApi);
        Assert.That(paidInvoice.Str("status"), Is.EqualTo("paid"));
        using var conflict = await paid.CreateAdminClient().PostAsync($"/v1/usage/invoices/{paidInvoice.Str("usage_invoice_id")}/void", null);
        await conflict.ShouldBeProblemAsync(409);
        Assert.That((await paidApi.StripeGetAsync($"invoices/{paidInvoice.Str("stripe_invoice_id")}")).Str("status"), Is.EqualTo("paid"));
    }

    [Test]
    public async Task A_paid_usage_invoice_refunded_after_the_payout_reverses_the_developers_transfer()
    {
        await using var f = NewFactory();
        using var api = new Api(f);
        var plugins = await PublishUsagePluginsAsync(f, api, "10");
        await SubscribeAsync(f, api, PaysOffSession);
        await IngestAsync(api, ("e1", plugins[0], 300_000, 0)); // 3,000
        var invoice = await RunInvoicesAsync(f, api);
        Assert.That((invoice.Str("status"), invoice.Long("amount_due")), Is.EqualTo(("paid", 3_000L)));
        var events = (await api.GetAsync($"/v1/marketplace/developers/{Developer}/revenue_events")).Arr("data");
        var earned = events.Single()!;
        Assert.That((earned.Str("kind"), earned.Long("gross"), earned.Str("stripe_invoice_id")), Is.EqualTo(("usage", 3_000L, invoice.Str("stripe_invoice_id"))));
        var developerShare = earned.Long("developer_share");

        // Past the hold, the payout transfers the developer's share; then the usage invoice's charge is refunded in full.
        await f.AdvanceStripeClockAsync(TimeSpan.FromDays(16));
        await f.SettleAsync();
        var period = $"{earned.Time("earned_at").UtcDateTime:yyyy-MM}";
        var payout = (await api.PostAsync("/v1/marketplace/payouts", new { period })).Arr("payouts").Single()!;
        Assert.That((payout.Str("status"), payout.Long("amount")), Is.EqualTo(("paid", developerShare)), payout.ToJsonString());
        var charged = await api.StripeGetAsync($"invoices/{invoice.Str("stripe_invoice_id")}");
        await api.StripePostAsync("refunds", ("payment_intent", charged.Str("payments.data.0.payment.payment_intent")));
        await f.FlushStripeWebhooksAsync();
        await f.SettleAsync();
        for (var attempt = 0; attempt < 50 && (await api.StripeGetAsync($"transfers/{payout.Str("transfer_id")}")).Long("amount_reversed") == 0; attempt++)
        {
            await Task.Delay(100);
            await f.SettleAsync();
        }

        var (gross, split) = await RevenueAsync(api);
        Assert.That((gross, split), Is.EqualTo((0L, 0L)), "the refund reversed the usage revenue");
        Assert.That((await api.StripeGetAsync($"transfers/{payout.Str("transfer_id")}")).Long("amount_reversed"), Is.EqualTo(developerShare),
            "the developer's part is taken back from the transfer");
    }

    /// <summary>Cases per run: each starts a Host, onboards a developer and bills a period.</summary>
    private const int Cases = 15;

    [Test]
    public void For_random_usage_credits_and_plugin_prices_the_money_adds_up_before_and_after_void_or_refund()
    {
        var cases =
            from priceA in Gen.Choose(1, 5_000)
            from priceB in Gen.Choose(1, 99_999)
            from inputA in Gen.Choose(1_000, 2_000_000)
            from outputA in Gen.Choose(0, 500_000)
            from inputB in Gen.Choose(0, 300_000)
            from outputB in Gen.Choose(1_000, 300_000)
            from model in Gen.Choose(0, 1_000_000)
            from credits in Gen.Choose(0, 20_000)
            from declined in Gen.Elements(true, false)
            select new MoneyCase(priceA, priceB, inputA, outputA, inputB, outputB, model, credits, declined);
        var property = Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var failures = CheckMoneyAsync(c).GetAwaiter().GetResult();
            return (failures.Count == 0).Label($"{c}\n{string.Join("\n", failures)}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true), property);
    }

    /// <summary>One random case.</summary>
    /// <param name="PriceA">Plugin A's price in hundredths of a minor unit per 1,000 tokens (1 → "0.01").</param>
    /// <param name="PriceB">Plugin B's price in thousandths (1 → "0.001").</param>
    /// <param name="InputA">Input tokens of plugin A.</param>
    /// <param name="OutputA">Output tokens of plugin A.</param>
    /// <param name="InputB">Input tokens of plugin B.</param>
    /// <param name="OutputB">Output tokens of plugin B.</param>
    /// <param name="ModelTokens">Input tokens outside plugins (model priced).</param>
    /// <param name="Credits">Credits granted before invoicing, minor units (0: none).</param>
    /// <param name="Declined">The card fails off session (the invoice is then voided), else it pays (then refunded).</param>
    private sealed record MoneyCase(int PriceA, int PriceB, int InputA, int OutputA, int InputB, int OutputB, int ModelTokens, int Credits, bool Declined);

    private static async Task<List<string>> CheckMoneyAsync(MoneyCase c)
    {
        var failures = new List<string>();
        void Expect(bool ok, string what)
        {
            if (!ok)
            {
                failures.Add(what);
            }
        }

        await using var f = NewFactory();
        using var api = new Api(f);
        var priceA = (c.PriceA / 100m).ToString(CultureInfo.InvariantCulture);
        var priceB = (c.PriceB / 1000m).ToString(CultureInfo.InvariantCulture);
        var plugins = await PublishUsagePluginsAsync(f, api, priceA, priceB);
        await SubscribeAsync(f, api, c.Declined ? FailsOffSession : PaysOffSession);
        if (c.Credits > 0)
        {
            await api.PostAsync($"/v1/usage/{User}/credits/grants", new { amount = c.Credits, currency = "usd", reason = "prepaid" }, 201);
        }

        await IngestAsync(api, ("a", plugins[0], c.InputA, c.OutputA), ("b", plugins[1], c.InputB, c.OutputB), ("m", null, c.ModelTokens, 0));
        var invoice = await RunInvoicesAsync(f, api);
        var lines = (await api.GetAsync($"/v1/usage/{User}/invoices")).Arr("data").Single()!.Arr("lines");
        var pluginLines = lines.Where(l => l.StrOrNull("plugin_id") is not null).Sum(l => l.Long("amount"));
        var (subtotal, credited, due) = (invoice.Long("subtotal"), invoice.Long("credits_applied"), invoice.Long("amount_due"));
        Expect(subtotal == lines.Sum(l => l.Long("amount")), $"subtotal {subtotal} = Σ lines {lines.Sum(l => l.Long("amount"))}");
        Expect(subtotal == credited + due, $"total {subtotal} = credits applied {credited} + amount charged {due}");
        Expect(credited == Math.Min(c.Credits, subtotal), $"credits applied {credited} = min(credits {c.Credits}, total {subtotal})");
        if (invoice.StrOrNull("stripe_invoice_id") is { } stripeInvoiceId)
        {
            var atStripe = await api.StripeGetAsync($"invoices/{stripeInvoiceId}");
            Expect(atStripe.Long("total") == due, $"Stripe's total {atStripe.Long("total")} = amount charged {due}");
            Expect(atStripe.Long("amount_paid") == (invoice.Str("status") == "paid" ? due : 0), $"Stripe's amount_paid {atStripe.Long("amount_paid")}");
        }

        var paid = invoice.Str("status") == "paid";
        Expect(paid == (!c.Declined || due == 0), $"status {invoice.Str("status")}");
        var (gross, split) = await RevenueAsync(api);
        Expect(gross == (paid ? pluginLines : 0), $"revenue gross {gross} = paid plugin lines {(paid ? pluginLines : 0)}");
        Expect(split == gross, $"developer share + platform share {split} = gross {gross}");
        var uncollected = (await api.GetAsync($"/v1/marketplace/developers/{Developer}/earnings?period={Period}")).Arr("uncollected").Sum(u => u.Long("gross"));
        Expect(uncollected == (paid ? 0 : pluginLines), $"uncollected {uncollected}");

        if (!paid)
        {
            var voided = await api.PostAsync($"/v1/usage/invoices/{invoice.Str("usage_invoice_id")}/void", null);
            await f.FlushStripeWebhooksAsync();
            await f.SettleAsync();
            Expect(voided.Long("credits_returned") == credited, $"credits returned {voided.Long("credits_returned")} = applied {credited}");
            Expect((await api.GetAsync($"/v1/usage/{User}/credits")).Long("balance") == c.Credits, "the balance is what was granted");
            (gross, split) = await RevenueAsync(api);
            Expect(gross == 0 && split == 0, $"after void: revenue {gross}/{split}");
            var after = (await api.GetAsync($"/v1/marketplace/developers/{Developer}/earnings?period={Period}")).Arr("uncollected");
            Expect(after.Count == 0, $"after void: uncollected {after.ToJsonString()}");
        }
        else if (due > 0)
        {
            var charged = await api.StripeGetAsync($"invoices/{invoice.Str("stripe_invoice_id")}");
            await api.StripePostAsync("refunds", ("payment_intent", charged.Str("payments.data.0.payment.payment_intent")));
            await f.FlushStripeWebhooksAsync();
            await f.SettleAsync();
            (gross, split) = await RevenueAsync(api);
            Expect(gross == 0, $"after a full refund: revenue gross {gross} = 0");
            Expect(split == gross, $"after refund: developer share + platform share {split} = gross {gross}");
            Expect((await api.GetAsync($"/v1/usage/{User}/credits")).Long("balance") == c.Credits - credited, "a refund gives no credits back");
        }

        return failures;
    }

    /// <summary>Σ gross and Σ (developer share + platform share) over every revenue event of the developer (refunds negative).</summary>
    private static async Task<(long Gross, long Split)> RevenueAsync(Api api)
    {
        var events = new List<JsonNode>();
        string? after = null;
        while (true)
        {
            var page = await api.GetAsync($"/v1/marketplace/developers/{Developer}/revenue_events?limit=100" + (after is null ? "" : "&starting_after=" + after));
            var data = page.Arr("data");
            events.AddRange(data.Select(d => d!));
            if (!page.Bool("has_more") || data.Count == 0)
            {
                break;
            }

            after = data[^1].Str("id");
        }

        return (events.Sum(e => e.Long("gross")), events.Sum(e => e.Long("developer_share") + e.Long("platform_share")));
    }

    private static async Task<List<string>> PublishUsagePluginsAsync(MonetizationFactory f, Api api, params string[] prices)
    {
        await api.PostAsync("/v1/marketplace/developers", new { developer_id = Developer, name = "Usage Plugins", email = "dev@usage.test" }, 201);
        var link = await api.PostAsync($"/v1/marketplace/developers/{Developer}/onboarding", null);
        await api.OpenPageAsync(link.Str("url"));
        await api.SubmitPageAsync(link.Str("url"));
        await f.SettleAsync();
        var ids = new List<string>();
        for (var i = 0; i < prices.Length; i++)
        {
            var plugin = await api.PostAsync("/v1/marketplace/plugins", new
            {
                developer_id = Developer,
                slug = $"agent-{i}",
                name = $"Agent {i}",
                description = "Per-token agent",
                pricing = new { model = "usage", unit = "tokens", unit_amount_decimal = prices[i] },
            }, 201);
            ids.Add(plugin.Str("id"));
        }

        await f.SettleAsync();
        return ids;
    }

    private static async Task SubscribeAsync(MonetizationFactory f, Api api, string card)
    {
        var checkout = await api.PostAsync("/v1/subscriptions/checkout", new { user_id = User, email = $"{User}@example.com", plan = "premium", cadence = "monthly" });
        await f.CompleteCheckoutAsync(checkout.Str("session_id"), card);
        await f.SettleAsync();
    }

    private static async Task IngestAsync(Api api, params (string Id, string? Plugin, long Input, long Output)[] usage)
    {
        var events = usage.Where(u => u.Input + u.Output > 0).Select(u => new
        {
            event_id = u.Id,
            user_id = User,
            meter = "tokens",
            timestamp = October,
            properties = u.Plugin is null
                ? (object)new { model = "gpt-4o", input_tokens = u.Input, output_tokens = u.Output }
                : new { model = "gpt-4o", input_tokens = u.Input, output_tokens = u.Output, plugin_id = u.Plugin },
        }).ToArray();
        await api.PostAsync("/v1/usage/events", new { events }, 202);
    }

    private static async Task<JsonNode> RunInvoicesAsync(MonetizationFactory f, Api api)
    {
        var run = await api.PostAsync("/v1/usage/invoices", new { period = Period });
        await f.FlushStripeWebhooksAsync();
        await f.SettleAsync();
        return run.Arr("invoices").Single()!;
    }
}
