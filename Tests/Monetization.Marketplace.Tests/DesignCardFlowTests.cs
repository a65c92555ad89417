using Microsoft.EntityFrameworkCore;
using Monetization.IntegrationEvents.Marketplace;
using Monetization.Marketplace.Data;
using Monetization.TestKit;

namespace Monetization.Marketplace.Tests;

/// <summary>
/// The design card: a user on trial installs a monthly plugin → pending → FirstPaidTransition → billable (a subscription
/// item) → InvoicePaid line → a revenue event split 70/30. Only integration events cross the module boundary.
/// </summary>
public sealed class DesignCardFlowTests
{
    [Test]
    public async Task Trial_user_installs_monthly_plugin_pays_and_the_invoice_line_is_split_70_30()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("backup", new { model = "monthly", amount = 999, currency = "usd" });
        await h.Factory.PublishAsync(MarketplaceHarness.SubscriptionChangedFor("u1", "trialing", 1));

        var install = await h.InstallAsync(plugin, "u1");
        Assert.That(install.Str("status"), Is.EqualTo("pending"));
        Assert.That(h.Stripe.ItemsCreated, Is.Empty, "a trial is not payment: nothing is billed yet");
        Assert.That((await h.Factory.OutboxEventsAsync<PluginInstalled>()).Single().Status, Is.EqualTo("pending"));

        var firstPaid = h.FirstPaidFor("u1");
        await h.Factory.PublishAsync(firstPaid);
        await h.Factory.PublishAsync(firstPaid); // redelivery adds no second item
        var item = h.Stripe.ItemsCreated.Single();
        Assert.That(item.Subscription, Is.EqualTo("sub_1"));
        Assert.That(item.Metadata!["install_id"], Is.EqualTo(install.Str("install_id")));
        var active = (await h.Read.GetJsonAsync("/v1/marketplace/users/u1/installs"))["data"]![0]!;
        Assert.That(active.Str("status"), Is.EqualTo("active"));
        var itemId = active.Str("stripe_subscription_item_id");

        // The invoice: the plan line (not ours) and the plugin's line with the item's metadata.
        var metadata = new Dictionary<string, string> { ["plugin_id"] = plugin, ["install_id"] = install.Str("install_id") };
        var invoice = h.InvoicePaidFor("u1", "in_2", MarketplaceHarness.Line("il_plan", 2000), MarketplaceHarness.Line("il_plugin", 999, itemId, metadata));
        await h.Factory.PublishAsync(invoice);

        var events = await h.Factory.QueryAsync<MarketplaceDbContext, List<Domain.RevenueEvent>>(db => db.RevenueEvents.ToListAsync());
        var evt = events.Single();
        Assert.That(evt.Gross, Is.EqualTo(999));
        Assert.That(evt.DeveloperShare, Is.EqualTo(699));
        Assert.That(evt.PlatformShare, Is.EqualTo(300));
        Assert.That(evt.SourceId, Is.EqualTo("in_2:il_plugin"));
        Assert.That(evt.Period, Is.EqualTo("2026-11"));
    }

    [Test]
    public async Task Monthly_renewals_make_one_event_per_invoice_line_and_redelivery_adds_nothing()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("backup", new { model = "monthly", amount = 500, currency = "usd" });
        await h.Factory.PublishAsync(MarketplaceHarness.SubscriptionChangedFor("u1", "active", 1));
        var install = await h.InstallAsync(plugin, "u1");
        var itemId = install.Str("stripe_subscription_item_id");

        // Lines matched by subscription item only (no metadata), and a proration credit.
        var november = h.InvoicePaidFor("u1", "in_nov", MarketplaceHarness.Line("il_1", 500, itemId));
        await h.Factory.PublishAsync(november);
        await h.Factory.PublishAsync(november with { EventId = Guid.NewGuid() });
        h.Clock.Advance(TimeSpan.FromDays(30));
        await h.Factory.PublishAsync(h.InvoicePaidFor("u1", "in_dec", MarketplaceHarness.Line("il_1", 500, itemId), MarketplaceHarness.Line("il_2", -120, itemId)));

        var nov = (await h.EarningsAsync(period: "2026-11")).Currency("usd");
        Assert.That(nov.Long("events"), Is.EqualTo(1));
        Assert.That(nov.Long("gross"), Is.EqualTo(500));
        var dec = (await h.EarningsAsync(period: "2026-12")).Currency("usd");
        Assert.That(dec.Long("events"), Is.EqualTo(2));
        Assert.That(dec.Long("gross"), Is.EqualTo(380));
        Assert.That(dec.Long("developer_share") + dec.Long("platform_share"), Is.EqualTo(380));
    }

    [Test]
    public async Task Canceled_subscription_returns_monthly_installs_to_pending_and_a_new_subscription_bills_them_again()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("backup", new { model = "monthly", amount = 500, currency = "usd" });
        await h.Factory.PublishAsync(MarketplaceHarness.SubscriptionChangedFor("u1", "active", 1));
        await h.InstallAsync(plugin, "u1");
        await h.Factory.PublishAsync(MarketplaceHarness.SubscriptionChangedFor("u1", "canceled", 2));
        Assert.That((await h.Read.GetJsonAsync("/v1/marketplace/users/u1/installs"))["data"]![0]!.Str("status"), Is.EqualTo("pending"));
        // An older change arriving late is ignored.
        await h.Factory.PublishAsync(MarketplaceHarness.SubscriptionChangedFor("u1", "active", 1));
        Assert.That((await h.Read.GetJsonAsync("/v1/marketplace/users/u1/installs"))["data"]![0]!.Str("status"), Is.EqualTo("pending"));

        await h.Factory.PublishAsync(MarketplaceHarness.SubscriptionChangedFor("u1", "active", 3, "sub_2"));
        var again = (await h.Read.GetJsonAsync("/v1/marketplace/users/u1/installs"))["data"]![0]!;
        Assert.That(again.Str("status"), Is.EqualTo("active"));
        Assert.That(h.Stripe.ItemsCreated.Last().Subscription, Is.EqualTo("sub_2"));
    }
}
