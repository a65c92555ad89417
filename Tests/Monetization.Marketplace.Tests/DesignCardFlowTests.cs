using Microsoft.EntityFrameworkCore;
using Monetization.IntegrationEvents.Marketplace;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Marketplace.Data;
using Monetization.TestKit;

namespace Monetization.Marketplace.Tests;

/// <summary>
/// The design card, end to end against the Stripe emulator: a user on trial installs a monthly plugin → pending → the
/// trial ends and Stripe charges the first invoice (FirstPaidTransition) → the plugin becomes an item of the user's
/// subscription → the next invoice's plugin lines → revenue events split 70/30. Only integration events cross the
/// module boundary; Stripe's side lives in the emulator.
/// </summary>
public sealed class DesignCardFlowTests
{
    private static MarketplaceHarness WithMonthlyTrial() =>
        new(f => f.WithSetting("Plans:premium:Prices:monthly:TrialDays", "14"));

    /// <summary>
    /// The plugin lines of every invoice Subscriptions reported paid: by subscription item or install metadata, and the
    /// proration lines, which carry only the plugin's price.
    /// </summary>
    private static async Task<List<(string SourceId, long Amount)>> PluginLinesAsync(MarketplaceHarness h, string installId, string? itemId)
    {
        var invoices = await h.Factory.OutboxEventsAsync<InvoicePaid>();
        var pluginPrices = await h.Factory.QueryAsync<MarketplaceDbContext, List<string?>>(db => db.Plugins.Select(p => p.StripePriceId).ToListAsync());
        return invoices.SelectMany(i => i.Lines
                .Where(l => l.Amount != 0 && ((itemId != null && l.SubscriptionItemId == itemId) || l.Metadata.GetValueOrDefault("install_id") == installId
                    || (l.SubscriptionItemId == null && pluginPrices.Contains(l.PriceId))))
                .Select(l => ($"{i.InvoiceId}:{l.LineId}", l.Amount)))
            .Distinct()
            .ToList();
    }

    private static Task<List<Domain.RevenueEvent>> RevenueAsync(MarketplaceHarness h) =>
        h.Factory.QueryAsync<MarketplaceDbContext, List<Domain.RevenueEvent>>(db => db.RevenueEvents.OrderBy(e => e.SourceId).ToListAsync());

    [Test]
    public async Task Pending_install_becomes_active_even_when_a_credit_deferral_makes_the_paid_subscription_trialing_first()
    {
        // Subscriptions moves a paying user's next charge by a referral credit through trial_end, so right after the first
        // payment the subscription may be `trialing` again before Marketplace's item is confirmed. That user still pays.
        await using var h = WithMonthlyTrial();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("backup", new { model = "monthly", amount = 999, currency = "usd" });
        var subscription = await h.SubscribeAsync("u1");
        await h.InstallAsync(plugin, "u1");

        await h.Factory.AdvanceStripeClockAsync(TimeSpan.FromDays(15));
        await h.Factory.SettleAsync(); // FirstPaidTransition recorded the item call; the runner may not have made it yet
        var latest = await h.LatestAsync<SubscriptionChanged>(e => e.UserId == "u1");
        Assert.That(latest.Status, Is.EqualTo("active"));
        await h.Factory.PublishAsync(latest with { EventId = Guid.NewGuid(), Status = "trialing", Version = latest.Version + 1 });
        await h.SettleAsync();

        var install = await h.InstallOfAsync("u1");
        Assert.That(install.Str("status"), Is.EqualTo("active"));
        Assert.That((await h.SubscriptionItemsAsync(subscription)).Select(i => i.Str("id")), Does.Contain(install.Str("stripe_subscription_item_id")));
        var item = (await h.SubscriptionItemsAsync(subscription)).Single(i => i.Str("id") == install.Str("stripe_subscription_item_id"));
        Assert.That(item["metadata"]!.Str("install_id"), Is.EqualTo(install.Str("install_id")));
    }

    [Test]
    public async Task Trial_user_installs_monthly_plugin_pays_and_the_invoice_lines_are_split_70_30()
    {
        await using var h = WithMonthlyTrial();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("backup", new { model = "monthly", amount = 999, currency = "usd" });
        var subscription = await h.SubscribeAsync("u1");
        Assert.That((await h.LatestAsync<SubscriptionChanged>(e => e.UserId == "u1")).Status, Is.EqualTo("trialing"));
        var planItems = (await h.SubscriptionItemsAsync(subscription)).Count;

        var install = await h.InstallAsync(plugin, "u1");
        Assert.That(install.Str("status"), Is.EqualTo("pending"));
        Assert.That(await h.SubscriptionItemsAsync(subscription), Has.Count.EqualTo(planItems), "a trial is not payment: nothing is billed yet");
        Assert.That((await h.Factory.OutboxEventsAsync<PluginInstalled>()).Single().Status, Is.EqualTo("pending"));

        // The trial ends: Stripe charges the first invoice → FirstPaidTransition → the plugin becomes a subscription item.
        await h.Factory.AdvanceStripeClockAsync(TimeSpan.FromDays(15));
        await h.SettleAsync();
        var firstPaid = await h.LatestAsync<FirstPaidTransition>(e => e.UserId == "u1");
        await h.Factory.PublishAsync(firstPaid with { EventId = Guid.NewGuid() }); // reported again: no second item
        await h.SettleAsync();
        var active = await h.InstallOfAsync("u1");
        Assert.That(active.Str("status"), Is.EqualTo("active"));
        var itemId = active.Str("stripe_subscription_item_id");
        var items = await h.SubscriptionItemsAsync(subscription);
        Assert.That(items, Has.Count.EqualTo(planItems + 1));
        var item = items.Single(i => i.Str("id") == itemId);
        Assert.That(item["metadata"]!.Str("install_id"), Is.EqualTo(install.Str("install_id")));
        Assert.That((await h.Factory.OutboxEventsAsync<PluginInstalled>()).Last().Status, Is.EqualTo("active"));
        Assert.That(await RevenueAsync(h), Is.Empty, "the first invoice had only the plan");

        // The next renewal bills the plugin: one revenue event per plugin line (the plan line is not marketplace revenue).
        await h.Factory.AdvanceStripeClockAsync(TimeSpan.FromDays(31));
        await h.SettleAsync();
        var lines = await PluginLinesAsync(h, install.Str("install_id"), itemId);
        var events = await RevenueAsync(h);
        Assert.That(lines.Select(l => l.Amount), Does.Contain(999L));
        Assert.That(events.Select(e => e.SourceId), Is.EquivalentTo(lines.Select(l => l.SourceId)));
        var full = events.Single(e => e.SourceId == lines.First(l => l.Amount == 999).SourceId);
        Assert.That(full.Gross, Is.EqualTo(999));
        Assert.That(full.DeveloperShare, Is.EqualTo(699));
        Assert.That(full.PlatformShare, Is.EqualTo(300));
        Assert.That(full.Period, Is.EqualTo("2026-12"));
        Assert.That(full.InstallId, Is.EqualTo(install.Str("install_id")));
        Assert.That(events, Has.All.Matches<Domain.RevenueEvent>(e => e.DeveloperShare + e.PlatformShare == e.Gross && e.DeveloperShare == e.Gross * 7000 / 10_000));
    }

    [Test]
    public async Task Monthly_renewals_make_one_event_per_invoice_line_and_redelivery_adds_nothing()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("backup", new { model = "monthly", amount = 500, currency = "usd" });
        await h.SubscribeAsync("u1");
        var install = await h.InstallAsync(plugin, "u1");
        var itemId = install.Str("stripe_subscription_item_id");

        await h.Factory.AdvanceStripeClockAsync(TimeSpan.FromDays(31));
        await h.SettleAsync();
        var december = await h.LatestAsync<InvoicePaid>(e => e.UserId == "u1");
        await h.Factory.PublishAsync(december); // redelivery
        await h.Factory.PublishAsync(december with { EventId = Guid.NewGuid() }); // the same invoice reported twice
        var afterFirst = await RevenueAsync(h);
        Assert.That(afterFirst.Select(e => e.SourceId), Is.EquivalentTo((await PluginLinesAsync(h, install.Str("install_id"), itemId)).Select(l => l.SourceId)));
        Assert.That(afterFirst.Select(e => e.SourceId), Has.All.StartWith(december.InvoiceId + ":"));

        await h.Factory.AdvanceStripeClockAsync(TimeSpan.FromDays(31));
        await h.SettleAsync();
        var january = await h.LatestAsync<InvoicePaid>(e => e.UserId == "u1");
        Assert.That(january.InvoiceId, Is.Not.EqualTo(december.InvoiceId));
        var lines = await PluginLinesAsync(h, install.Str("install_id"), itemId);
        var events = await RevenueAsync(h);
        Assert.That(events.Select(e => e.SourceId), Is.EquivalentTo(lines.Select(l => l.SourceId)));
        Assert.That(events.Where(e => e.StripeInvoiceId == january.InvoiceId).Select(e => e.Gross), Is.EqualTo(new[] { 500L }), "a renewal is one line, one event");
        Assert.That(events.Where(e => e.StripeInvoiceId == december.InvoiceId).Select(e => e.Gross), Has.Exactly(2).Items, "December: the month ahead and the proration of the days installed before it");
        Assert.That(events.Sum(e => e.Gross), Is.EqualTo(lines.Sum(l => l.Amount)));

        // Uninstalled mid-period: the prorated credit comes back as a negative line on the next invoice → a negative event.
        await h.Factory.AdvanceStripeClockAsync(TimeSpan.FromDays(10));
        using (var uninstalled = await h.Admin.DeleteAsync($"/v1/marketplace/plugins/{plugin}/installs/u1"))
        {
            await uninstalled.ReadJsonAsync(200);
        }

        await h.Factory.AdvanceStripeClockAsync(TimeSpan.FromDays(25));
        await h.SettleAsync();
        var credits = (await RevenueAsync(h)).Where(e => e.Gross < 0).ToList();
        Assert.That(credits, Has.Count.EqualTo(1));
        Assert.That(credits[0].Gross, Is.InRange(-500L, -1L));
        Assert.That(credits[0].DeveloperShare + credits[0].PlatformShare, Is.EqualTo(credits[0].Gross));
        Assert.That((await RevenueAsync(h)).Select(e => e.SourceId), Is.EquivalentTo((await PluginLinesAsync(h, install.Str("install_id"), itemId)).Select(l => l.SourceId)));
    }

    [Test]
    public async Task Canceled_subscription_returns_monthly_installs_to_pending_and_a_new_subscription_bills_them_again()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("backup", new { model = "monthly", amount = 500, currency = "usd" });
        var first = await h.SubscribeAsync("u1");
        var activeChange = await h.LatestAsync<SubscriptionChanged>(e => e.UserId == "u1" && e.Status == "active");
        Assert.That((await h.InstallAsync(plugin, "u1")).Str("status"), Is.EqualTo("active"));

        // Canceled in Stripe: customer.subscription.deleted → SubscriptionChanged(canceled).
        await h.Stripe.V1.Subscriptions.CancelAsync(first);
        await h.SettleAsync();
        Assert.That((await h.InstallOfAsync("u1")).Str("status"), Is.EqualTo("pending"));
        // An older change arriving late is ignored.
        await h.Factory.PublishAsync(activeChange with { EventId = Guid.NewGuid() });
        Assert.That((await h.InstallOfAsync("u1")).Str("status"), Is.EqualTo("pending"));

        // The user subscribes again: the plugin is billed on the new subscription.
        var second = await h.SubscribeAsync("u1");
        Assert.That(second, Is.Not.EqualTo(first));
        var again = await h.InstallOfAsync("u1");
        Assert.That(again.Str("status"), Is.EqualTo("active"));
        var items = await h.SubscriptionItemsAsync(second);
        Assert.That(items.Select(i => i.Str("id")), Does.Contain(again.Str("stripe_subscription_item_id")));
        Assert.That(items.Count(i => i["metadata"]?["install_id"]?.GetValue<string>() == again.Str("install_id")), Is.EqualTo(1));
    }
    [Test]
    public async Task A_plan_only_invoice_writes_nothing_in_Marketplace_while_a_plugin_price_line_on_the_next_one_is_recorded_once()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("backup", new { model = "monthly", amount = 999, currency = "usd" });
        var pluginPrice = await h.Factory.QueryAsync<MarketplaceDbContext, string?>(db => db.Plugins.Where(p => p.Id == plugin).Select(p => p.StripePriceId).SingleAsync());
        Assert.That(pluginPrice, Is.Not.Null.And.Not.Empty);
        var now = h.Clock.GetUtcNow();
        var planLine = new InvoiceLine("il_plan", "price_plan_premium", "si_plan", 2_000, "usd", 1, now, now.AddMonths(1), new Dictionary<string, string>());
        var planOnly = new InvoicePaid(Guid.NewGuid(), now, "u1", "cus_u1", "in_plan_only", "sub_u1", "subscription_cycle", 2_000, "usd", "ch_1", "pi_1",
            [planLine], new Dictionary<string, string>());

        await h.Factory.PublishAsync(planOnly);
        Assert.That(await h.Factory.QueryAsync<MarketplaceDbContext, int>(db => db.Inbox.CountAsync(i => i.EventId == planOnly.EventId)), Is.Zero,
            "declined before the transaction: not even an inbox row");
        Assert.That(await RevenueAsync(h), Is.Empty);

        // A proration line carries only the plugin's price: it must still be matched, once, whatever the redeliveries.
        var proration = new InvoiceLine("il_proration", pluginPrice, null, 333, "usd", 1, now, now.AddMonths(1), new Dictionary<string, string>());
        var mixed = planOnly with { EventId = Guid.NewGuid(), InvoiceId = "in_mixed", AmountPaid = 2_333, Lines = [planLine, proration] };
        await h.Factory.PublishAsync(mixed);
        await h.Factory.PublishAsync(mixed);
        var revenue = await RevenueAsync(h);
        Assert.That(revenue.Select(e => (e.SourceId, e.Gross)), Is.EqualTo(new[] { ("in_mixed:il_proration", 333L) }));
        Assert.That(await h.Factory.QueryAsync<MarketplaceDbContext, int>(db => db.Inbox.CountAsync(i => i.EventId == mixed.EventId)), Is.EqualTo(1));
    }
    /// <summary>
    /// Issue 22: the outbox hands Marketplace a run of <c>InvoicePaid</c> events, and the run is checked in two queries (the
    /// items installs have, the prices plugins have) instead of one per line. The answer must be each invoice's own: an
    /// install's subscription item, a plugin's price, or metadata that names one are revenue; plan lines, zero-amount lines
    /// and unknown items or prices are not, and write nothing (no inbox row).
    /// </summary>
    [Test]
    public async Task A_run_of_paid_invoices_is_checked_at_once_with_each_invoices_own_answer()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("backup", new { model = "monthly", amount = 999, currency = "usd" });
        await h.SubscribeAsync("u1");
        var install = await h.InstallAsync(plugin, "u1");
        var itemId = install.Str("stripe_subscription_item_id");
        await h.SettleAsync();
        var pluginPrice = await h.Factory.QueryAsync<MarketplaceDbContext, string?>(db => db.Plugins.Where(p => p.Id == plugin).Select(p => p.StripePriceId).SingleAsync());
        var now = h.Clock.GetUtcNow();
        InvoiceLine Line(string id, string? price, string? item, long amount, Dictionary<string, string>? metadata = null) =>
            new(id, price, item, amount, "usd", 1, now, now.AddMonths(1), metadata ?? []);
        InvoicePaid Invoice(string id, params InvoiceLine[] lines) =>
            new(Guid.NewGuid(), now, "u1", "cus_u1", id, "sub_u1", "subscription_cycle", lines.Sum(l => l.Amount), "usd", "ch_" + id, "pi_" + id, lines, new Dictionary<string, string>());
        var plan = Line("il_plan", "price_plan_premium", "si_plan", 2_000);
        var run = new[]
        {
            Invoice("in_run_plan", plan),
            Invoice("in_run_item", plan, Line("il_item", pluginPrice, itemId, 999)),
            Invoice("in_run_price", Line("il_price", pluginPrice, null, 333)),
            Invoice("in_run_meta", Line("il_meta", "price_elsewhere", null, 500, new() { ["plugin_id"] = plugin })),
            Invoice("in_run_zero", Line("il_zero", pluginPrice, itemId, 0)),
            Invoice("in_run_unknown", Line("il_unknown", "price_unknown", "si_unknown", 700)),
        };

        var failures = await h.Factory.PublishRunAsync(run);

        Assert.That(failures, Has.All.Null);
        var ids = run.Select(e => e.EventId).ToList();
        var inboxed = await h.Factory.QueryAsync<MarketplaceDbContext, List<Guid>>(db => db.Inbox.Where(i => ids.Contains(i.EventId)).Select(i => i.EventId).ToListAsync());
        Assert.That(inboxed, Is.EquivalentTo(new[] { run[1].EventId, run[2].EventId, run[3].EventId }), "only the invoices with a plugin line are taken");
        var invoices = run.Select(e => e.InvoiceId).ToList();
        var revenue = await h.Factory.QueryAsync<MarketplaceDbContext, List<Domain.RevenueEvent>>(db =>
            db.RevenueEvents.Where(e => invoices.Contains(e.StripeInvoiceId!)).ToListAsync());
        Assert.That(revenue.Select(e => (e.SourceId, e.Gross)), Is.EquivalentTo(new[]
        {
            ("in_run_item:il_item", 999L), ("in_run_price:il_price", 333L), ("in_run_meta:il_meta", 500L),
        }));
        Assert.That(revenue.Single(e => e.SourceId == "in_run_item:il_item").InstallId, Is.EqualTo(install.Str("install_id")));

        // Delivered again as a run: nothing more.
        Assert.That(await h.Factory.PublishRunAsync(run), Has.All.Null);
        Assert.That(await h.Factory.QueryAsync<MarketplaceDbContext, int>(db => db.RevenueEvents.CountAsync(e => invoices.Contains(e.StripeInvoiceId!))), Is.EqualTo(3));
    }
}
