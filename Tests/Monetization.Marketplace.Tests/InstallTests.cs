using Microsoft.EntityFrameworkCore;
using Monetization.IntegrationEvents.Marketplace;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Marketplace.Data;
using Monetization.TestKit;

namespace Monetization.Marketplace.Tests;

public sealed class InstallTests
{
    [Test]
    public async Task Free_install_is_active_with_a_zero_revenue_event_and_counted()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("linter", new { model = "free" });
        var install = await h.InstallAsync(plugin, "u1");
        Assert.That(install.Str("status"), Is.EqualTo("active"));
        Assert.That(install.Str("install_id"), Does.StartWith("ins_"));

        var events = await h.Factory.QueryAsync<MarketplaceDbContext, List<Domain.RevenueEvent>>(db => db.RevenueEvents.ToListAsync());
        Assert.That(events, Has.Count.EqualTo(1));
        Assert.That(events[0].Gross, Is.Zero);
        Assert.That(events[0].SourceId, Is.EqualTo("install:" + install.Str("install_id")));
        Assert.That((await h.Read.GetJsonAsync($"/v1/marketplace/plugins/{plugin}")).Long("install_count"), Is.EqualTo(1));
        Assert.That((await h.EarningsAsync()).Long("installs"), Is.EqualTo(1));

        var published = await h.Factory.OutboxEventsAsync<PluginInstalled>();
        Assert.That(published.Single().Status, Is.EqualTo("active"));
        Assert.That(published.Single().PricingModel, Is.EqualTo("free"));
    }

    [Test]
    public async Task Bad_install_requests()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("linter", new { model = "free" });
        using var noUser = await h.Admin.PostJsonAsync($"/v1/marketplace/plugins/{plugin}/installs", new { });
        await noUser.ShouldBeProblemAsync(422, field: "user_id");
        using var badUser = await h.Admin.PostJsonAsync($"/v1/marketplace/plugins/{plugin}/installs", new { user_id = "a b" });
        await badUser.ShouldBeProblemAsync(422, field: "user_id");
        using var missing = await h.Admin.PostJsonAsync("/v1/marketplace/plugins/plg_nope/installs", new { user_id = "u1" });
        await missing.ShouldBeProblemAsync(404);
        await h.InstallAsync(plugin, "u1");
        using var twice = await h.Admin.PostJsonAsync($"/v1/marketplace/plugins/{plugin}/installs", new { user_id = "u1" });
        var problem = await twice.ShouldBeProblemAsync(409, type: "already_installed");
        Assert.That(problem.Str("install_id"), Does.StartWith("ins_"));
        using var noInstall = await h.Admin.DeleteAsync($"/v1/marketplace/plugins/{plugin}/installs/u2");
        await noInstall.ShouldBeProblemAsync(404);
        using var badList = await h.Read.GetAsync("/v1/marketplace/users/u1/installs?status=gone");
        await badList.ShouldBeProblemAsync(422, field: "status");
    }

    [Test]
    public async Task One_time_purchase_checkout_paid_on_Stripe_activates_and_splits_70_30_once()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("themes", new { model = "one_time", amount = 1999, currency = "usd" });
        var install = await h.InstallAsync(plugin, "u1");
        Assert.That(install.Str("status"), Is.EqualTo("pending_payment"));
        Assert.That(install.Str("checkout_url"), Does.StartWith("http"));
        var session = await h.StripeGetAsync("checkout/sessions/" + install.Str("checkout_session_id"));
        Assert.That(session.Str("mode"), Is.EqualTo("payment"));
        Assert.That(session.Long("amount_total"), Is.EqualTo(1999));
        Assert.That(session["metadata"]!.Str("purpose"), Is.EqualTo(CheckoutPurposes.MarketplacePlugin));
        Assert.That(session["metadata"]!.Str("install_id"), Is.EqualTo(install.Str("install_id")));
        Assert.That(session["metadata"]!.Str("plugin_id"), Is.EqualTo(plugin));

        // Installing again while the checkout is open returns the same install with a fresh session.
        var again = await h.InstallAsync(plugin, "u1");
        Assert.That(again.Str("install_id"), Is.EqualTo(install.Str("install_id")));
        Assert.That(again.Str("checkout_session_id"), Is.Not.EqualTo(install.Str("checkout_session_id")));

        // The user pays on Stripe's page; checkout.session.completed → CheckoutCompleted → Marketplace.
        await h.Factory.CompleteCheckoutAsync(again.Str("checkout_session_id"));
        await h.SettleAsync();
        var completed = await h.LatestAsync<CheckoutCompleted>();
        Assert.That(completed.CheckoutSessionId, Is.EqualTo(again.Str("checkout_session_id")));
        await h.Factory.PublishAsync(completed); // redelivery
        await h.Factory.PublishAsync(completed with { EventId = Guid.NewGuid() }); // the same session reported twice
        // Another module's checkout is not ours.
        await h.Factory.PublishAsync(completed with { EventId = Guid.NewGuid(), CheckoutSessionId = "cs_other", Purpose = CheckoutPurposes.UsageCredits });

        var installs = await h.Read.GetJsonAsync("/v1/marketplace/users/u1/installs");
        Assert.That(installs["data"]![0]!.Str("status"), Is.EqualTo("active"));
        var earnings = await h.EarningsAsync();
        var usd = earnings.Currency("usd");
        Assert.That(usd.Long("gross"), Is.EqualTo(1999));
        Assert.That(usd.Long("events"), Is.EqualTo(1));
        Assert.That(usd.Long("developer_share"), Is.EqualTo(1399), "70 % of 19.99 rounded down");
        Assert.That(usd.Long("platform_share"), Is.EqualTo(600));
        Assert.That(usd.Long("pending"), Is.EqualTo(1399), "held for 14 days");
        Assert.That(usd.Long("payable"), Is.Zero);
        Assert.That(earnings.Long("installs"), Is.EqualTo(1));
        Assert.That(earnings["plugins"]![0]!.Str("slug"), Is.EqualTo("themes"));
        var evt = (await h.Factory.QueryAsync<MarketplaceDbContext, List<Domain.RevenueEvent>>(db => db.RevenueEvents.ToListAsync())).Single();
        Assert.That(evt.StripePaymentIntentId, Does.StartWith("pi_"), "kept to match refunds");
    }

    [Test]
    public async Task A_burst_of_purchases_delivered_as_one_run_records_what_one_by_one_delivery_would()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("themes", new { model = "one_time", amount = 1999, currency = "usd" });
        var first = await h.InstallAsync(plugin, "u1");
        var second = await h.InstallAsync(plugin, "u2");
        var now = h.Factory.Now;
        CheckoutCompleted Paid(string session, string? userId, string purpose = CheckoutPurposes.MarketplacePlugin, string pluginId = "") =>
            new(Guid.NewGuid(), now, session, userId, "cus_1", purpose, 1999, "usd", "pi_" + session,
                new Dictionary<string, string> { ["purpose"] = purpose, ["plugin_id"] = pluginId.Length > 0 ? pluginId : plugin });

        // One run (issue 22): two pending installs paid, the first reported twice, a purchase without an install (metadata
        // only), another module's checkout, and a plugin that does not exist.
        var run = new List<Monetization.IntegrationEvents.IIntegrationEvent>
        {
            Paid(first.Str("checkout_session_id"), "u1"),
            Paid(first.Str("checkout_session_id"), "u1"),
            Paid(second.Str("checkout_session_id"), "u2"),
            Paid("cs_direct", "u3"),
            Paid("cs_credits", "u4", CheckoutPurposes.UsageCredits),
            Paid("cs_ghost", "u5", pluginId: "plg_missing"),
        };
        var errors = await h.Factory.PublishRunAsync(run);
        Assert.That(errors, Is.All.Null);
        await h.Factory.PublishRunAsync(run); // the whole run redelivered

        var events = await h.Factory.QueryAsync<MarketplaceDbContext, List<Domain.RevenueEvent>>(db => db.RevenueEvents.OrderBy(e => e.SourceId).ToListAsync());
        Assert.That(events.Select(e => e.SourceId), Is.EqualTo(new[] { first.Str("checkout_session_id"), second.Str("checkout_session_id"), "cs_direct" }.Order(StringComparer.Ordinal)));
        Assert.That(events.Select(e => e.UserId), Is.EquivalentTo(new[] { "u1", "u2", "u3" }));
        var direct = events.Single(e => e.SourceId == "cs_direct");
        Assert.That((direct.Kind, direct.Gross, direct.DeveloperShare, direct.PlatformShare, direct.Currency, direct.RevenueShareBps, direct.StripePaymentIntentId),
            Is.EqualTo((Domain.RevenueKinds.Purchase, 1999L, 1399L, 600L, "usd", 7000, "pi_cs_direct")), "written by the run's store, read back through the model");
        Assert.That(direct.EarnedAt, Is.EqualTo(now));
        Assert.That(direct.AvailableAt, Is.EqualTo(Domain.RevenueLedger.CeilingToDay(now.AddDays(14))));
        Assert.That(direct.BucketDay, Is.EqualTo(direct.AvailableAt));
        Assert.That((direct.PaidAt, direct.PayoutId, direct.RefundedGross), Is.EqualTo(((DateTimeOffset?)null, (string?)null, 0L)));
        Assert.That(events.Where(e => e.InstallId is not null).Select(e => e.InstallId), Is.EquivalentTo(new[] { first.Str("install_id"), second.Str("install_id") }));
        var usd = (await h.EarningsAsync(period: now.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture))).Currency("usd");
        Assert.That(usd.Long("events"), Is.EqualTo(3));
        Assert.That(usd.Long("gross"), Is.EqualTo(3 * 1999));
        Assert.That(usd.Long("developer_share") + usd.Long("platform_share"), Is.EqualTo(3 * 1999));
        Assert.That((await h.InstallOfAsync("u1")).Str("status"), Is.EqualTo("active"));
        Assert.That((await h.InstallOfAsync("u2")).Str("status"), Is.EqualTo("active"));
        Assert.That((await h.Read.GetJsonAsync($"/v1/marketplace/plugins/{plugin}")).Long("install_count"), Is.EqualTo(2));
        var activated = (await h.Factory.OutboxEventsAsync<PluginInstalled>()).Where(e => e.Status == "active");
        Assert.That(activated.Select(e => e.InstallId), Is.EqualTo(new[] { first.Str("install_id"), second.Str("install_id") }), "one activation each, in order");
    }

    [Test]
    public async Task Monthly_install_for_a_paying_user_is_a_prorated_subscription_item_and_uninstall_removes_it()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("backup", new { model = "monthly", amount = 500, currency = "usd" });
        var subscription = await h.SubscribeAsync("u1");
        var planItems = await h.SubscriptionItemsAsync(subscription);

        var install = await h.InstallAsync(plugin, "u1");
        Assert.That(install.Str("status"), Is.EqualTo("active"));
        var items = await h.SubscriptionItemsAsync(subscription);
        Assert.That(items, Has.Count.EqualTo(planItems.Count + 1));
        var item = items.Single(i => i.Str("id") == install.Str("stripe_subscription_item_id"));
        Assert.That(item["price"]!.Str("id"), Is.EqualTo((await h.Read.GetJsonAsync($"/v1/marketplace/plugins/{plugin}")).Str("stripe_price_id")));
        Assert.That(item["metadata"]!.Str("install_id"), Is.EqualTo(install.Str("install_id")));
        Assert.That(item["metadata"]!.Str("plugin_id"), Is.EqualTo(plugin));

        using var deleted = await h.Admin.DeleteAsync($"/v1/marketplace/plugins/{plugin}/installs/u1");
        var gone = await deleted.ReadJsonAsync(200);
        Assert.That(gone.Str("status"), Is.EqualTo("uninstalled"));
        Assert.That(await h.SubscriptionItemsAsync(subscription), Has.Count.EqualTo(planItems.Count), "the item is gone from the subscription");
        Assert.That((await h.Read.GetJsonAsync($"/v1/marketplace/plugins/{plugin}")).Long("install_count"), Is.Zero);
        Assert.That((await h.Read.GetJsonAsync("/v1/marketplace/users/u1/installs"))["data"]!.AsArray(), Is.Empty);
        Assert.That((await h.Read.GetJsonAsync("/v1/marketplace/users/u1/installs?status=all"))["data"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That((await h.Factory.OutboxEventsAsync<PluginUninstalled>()).Single().InstallId, Is.EqualTo(install.Str("install_id")));

        // Reinstalling is a new install.
        var reinstall = await h.InstallAsync(plugin, "u1");
        Assert.That(reinstall.Str("install_id"), Is.Not.EqualTo(install.Str("install_id")));
    }

    [Test]
    public async Task Install_when_Stripe_fails_is_a_503_and_leaves_no_live_install()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("backup", new { model = "monthly", amount = 500, currency = "usd" });
        var subscription = await h.SubscribeAsync("u1");
        var planItems = (await h.SubscriptionItemsAsync(subscription)).Count;
        await h.Factory.FailStripeAsync("/v1/subscription_items", MarketplaceHarness.AttemptsPerCall, 500);
        using var failed = await h.Admin.PostJsonAsync($"/v1/marketplace/plugins/{plugin}/installs", new { user_id = "u1" });
        await failed.ShouldBeStripeUnavailableAsync();
        Assert.That((await h.Read.GetJsonAsync("/v1/marketplace/users/u1/installs"))["data"]!.AsArray(), Is.Empty);
        Assert.That(await h.SubscriptionItemsAsync(subscription), Has.Count.EqualTo(planItems));

        // Stripe is back: installing again bills one item.
        Assert.That((await h.InstallAsync(plugin, "u1")).Str("status"), Is.EqualTo("active"));
        Assert.That(await h.SubscriptionItemsAsync(subscription), Has.Count.EqualTo(planItems + 1));
    }

    [Test]
    public async Task Uninstall_when_Stripe_fails_is_a_503_and_keeps_the_install_and_its_item()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("backup", new { model = "monthly", amount = 500, currency = "usd" });
        var subscription = await h.SubscribeAsync("u1");
        var install = await h.InstallAsync(plugin, "u1");
        var items = (await h.SubscriptionItemsAsync(subscription)).Count;

        await h.Factory.FailStripeAsync("/v1/subscription_items/", MarketplaceHarness.AttemptsPerCall, 503, method: "DELETE");
        using var failed = await h.Admin.DeleteAsync($"/v1/marketplace/plugins/{plugin}/installs/u1");
        await failed.ShouldBeStripeUnavailableAsync();
        var live = (await h.Read.GetJsonAsync("/v1/marketplace/users/u1/installs"))["data"]!.AsArray();
        Assert.That(live.Select(i => i!.Str("install_id")), Is.EqualTo(new[] { install.Str("install_id") }), "the install stays live");
        Assert.That(await h.SubscriptionItemsAsync(subscription), Has.Count.EqualTo(items), "the item stays billed");
        Assert.That(await h.Factory.OutboxEventsAsync<PluginUninstalled>(), Is.Empty);

        // Stripe is back: the uninstall goes through once.
        using var deleted = await h.Admin.DeleteAsync($"/v1/marketplace/plugins/{plugin}/installs/u1");
        Assert.That((await deleted.ReadJsonAsync(200)).Str("status"), Is.EqualTo("uninstalled"));
        Assert.That(await h.SubscriptionItemsAsync(subscription), Has.Count.EqualTo(items - 1));
    }

    [Test]
    public async Task Uninstall_refused_by_Stripe_is_a_502_with_Stripe_s_code()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("backup", new { model = "monthly", amount = 500, currency = "usd" });
        var subscription = await h.SubscribeAsync("u1");
        await h.InstallAsync(plugin, "u1");
        var items = (await h.SubscriptionItemsAsync(subscription)).Count;

        await h.Factory.FailStripeAsync("/v1/subscription_items/", 1, 400, method: "DELETE");
        using var refused = await h.Admin.DeleteAsync($"/v1/marketplace/plugins/{plugin}/installs/u1");
        await refused.ShouldBeStripeRefusedAsync();
        Assert.That((await h.Read.GetJsonAsync("/v1/marketplace/users/u1/installs"))["data"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(await h.SubscriptionItemsAsync(subscription), Has.Count.EqualTo(items));
    }

    [Test]
    public async Task Usage_plugin_is_active_and_billed_from_UsageCharged_once_per_charge()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("ai-review", new { model = "usage", unit = "tokens", unit_amount_decimal = "0.5" });
        Assert.That((await h.InstallAsync(plugin, "u1")).Str("status"), Is.EqualTo("active"));
        var charge = h.UsageChargedFor("u1", plugin, "uch_1", 61);
        await h.Factory.PublishAsync(charge);
        await h.Factory.PublishAsync(charge with { EventId = Guid.NewGuid() });
        await h.Factory.PublishAsync(h.UsageChargedFor("u1", plugin, "uch_2", 10));
        var usd = (await h.EarningsAsync()).Currency("usd");
        Assert.That(usd.Long("gross"), Is.EqualTo(71));
        Assert.That(usd.Long("developer_share"), Is.EqualTo(42 + 7));
        Assert.That(usd.Long("events"), Is.EqualTo(2));
    }
}
