using Microsoft.EntityFrameworkCore;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Marketplace.Data;
using Monetization.TestKit;

namespace Monetization.Marketplace.Tests;

public sealed class DeveloperTests
{
    [Test]
    public async Task Registers_with_the_default_70_30_share_and_reads_back()
    {
        await using var h = new MarketplaceHarness();
        var created = await h.RegisterDeveloperAsync("dev_1");
        Assert.That(created.Long("revenue_share_bps"), Is.EqualTo(7000));
        Assert.That(created["payouts_enabled"]!.GetValue<bool>(), Is.False);

        var read = await h.Read.GetJsonAsync("/v1/marketplace/developers/dev_1");
        Assert.That(read.Str("email"), Is.EqualTo("dev_1@example.com"));
        Assert.That(read["stripe_account_id"], Is.Null);
    }

    [Test]
    public async Task A_custom_share_and_the_configured_default_apply()
    {
        await using var h = new MarketplaceHarness(f => f.WithSetting("Marketplace:DeveloperShareBps", "9000"));
        Assert.That((await h.RegisterDeveloperAsync("creator")).Long("revenue_share_bps"), Is.EqualTo(9000));
        Assert.That((await h.RegisterDeveloperAsync("other", bps: 8500)).Long("revenue_share_bps"), Is.EqualTo(8500));
    }

    [TestCase("developer_id", null)]
    [TestCase("developer_id", "has space")]
    [TestCase("email", "not-an-email")]
    [TestCase("name", "")]
    [TestCase("revenue_share_bps", 10001)]
    [TestCase("revenue_share_bps", -1)]
    public async Task Bad_input_is_a_422_naming_the_field(string field, object? value)
    {
        await using var h = new MarketplaceHarness();
        var body = new Dictionary<string, object?> { ["developer_id"] = "dev_1", ["name"] = "Acme", ["email"] = "a@example.com", [field] = value };
        using var response = await h.Admin.PostJsonAsync("/v1/marketplace/developers", body);
        await response.ShouldBeProblemAsync(422, field: field);
        Assert.That(await h.Factory.QueryAsync<MarketplaceDbContext, int>(db => db.Developers.CountAsync()), Is.Zero);
    }

    [Test]
    public async Task Duplicate_is_409_malformed_json_400_read_key_403_unknown_404()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync("dev_1");
        using var duplicate = await h.Admin.PostJsonAsync("/v1/marketplace/developers", new { developer_id = "dev_1", name = "X", email = "x@example.com" });
        await duplicate.ShouldBeProblemAsync(409, type: "developer_exists");
        using var malformed = await h.Admin.PostJsonAsync("/v1/marketplace/developers", "{\"developer_id\":");
        await malformed.ShouldBeProblemAsync(400);
        using var readOnly = await h.Read.PostJsonAsync("/v1/marketplace/developers", new { developer_id = "dev_2", name = "X", email = "x@example.com" });
        Assert.That((int)readOnly.StatusCode, Is.EqualTo(403));
        using var missing = await h.Read.GetAsync("/v1/marketplace/developers/nobody");
        await missing.ShouldBeProblemAsync(404);
    }

    [Test]
    public async Task Onboarding_creates_one_express_account_and_a_fresh_link_each_time()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync("dev_1");
        using var first = await h.Admin.PostAsync("/v1/marketplace/developers/dev_1/onboarding", null);
        var a = await first.ReadJsonAsync(200);
        using var second = await h.Admin.PostAsync("/v1/marketplace/developers/dev_1/onboarding", null);
        var b = await second.ReadJsonAsync(200);

        Assert.That(a.Str("stripe_account_id"), Is.EqualTo(b.Str("stripe_account_id")));
        Assert.That(a.Str("url"), Is.Not.EqualTo(b.Str("url")));
        var accounts = await h.StripeListAsync("accounts");
        Assert.That(accounts, Has.Count.EqualTo(1), "one connected account in Stripe");
        Assert.That(accounts[0].Str("id"), Is.EqualTo(a.Str("stripe_account_id")));
        Assert.That(accounts[0].Str("type"), Is.EqualTo("express"));
        Assert.That(accounts[0]["capabilities"]!.AsObject().Select(c => c.Key), Does.Contain("transfers"));

        using var missing = await h.Admin.PostAsync("/v1/marketplace/developers/nobody/onboarding", null);
        await missing.ShouldBeProblemAsync(404);
    }

    [Test]
    public async Task Concurrent_onboarding_creates_one_account()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync("dev_1");
        var accounts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => h.StartOnboardingAsync("dev_1")));
        Assert.That(accounts.Distinct().Count(), Is.EqualTo(1));
        Assert.That(await h.StripeListAsync("accounts"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Onboarding_when_Stripe_fails_is_a_503_and_saves_no_account()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync("dev_1");
        await h.Factory.FailStripeAsync("/v1/accounts", MarketplaceHarness.AttemptsPerCall, 500);
        using var response = await h.Admin.PostAsync("/v1/marketplace/developers/dev_1/onboarding", null);
        await response.ShouldBeStripeUnavailableAsync();
        var developer = await h.Read.GetJsonAsync("/v1/marketplace/developers/dev_1");
        Assert.That(developer["stripe_account_id"], Is.Null);
        Assert.That(await h.StripeListAsync("accounts"), Is.Empty);

        // Stripe is back: the next call onboards.
        Assert.That(await h.StartOnboardingAsync("dev_1"), Does.StartWith("acct_"));
    }

    [Test]
    public async Task Completing_Stripe_onboarding_enables_payouts_and_older_updates_are_ignored()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync("dev_1");
        var account = await h.StartOnboardingAsync("dev_1");
        await h.SettleAsync();
        Assert.That((await h.Read.GetJsonAsync("/v1/marketplace/developers/dev_1"))["payouts_enabled"]!.GetValue<bool>(), Is.False);

        // The developer finishes Stripe's hosted onboarding: account.updated → ConnectedAccountUpdated.
        await h.Factory.EmulatorAsync($"accounts/{account}/complete_onboarding");
        await h.SettleAsync();
        var developer = await h.Read.GetJsonAsync("/v1/marketplace/developers/dev_1");
        Assert.That(developer["payouts_enabled"]!.GetValue<bool>(), Is.True);
        Assert.That(developer["details_submitted"]!.GetValue<bool>(), Is.True);

        // Consumer rule (delivery may be out of order): an older update delivered late changes nothing.
        await h.Factory.PublishAsync(new ConnectedAccountUpdated(Guid.NewGuid(), h.Factory.Now.AddHours(-1), account, false, false, false));
        Assert.That((await h.Read.GetJsonAsync("/v1/marketplace/developers/dev_1"))["payouts_enabled"]!.GetValue<bool>(), Is.True);

        h.Clock.Advance(TimeSpan.FromMinutes(5));
        await h.Factory.PublishAsync(new ConnectedAccountUpdated(Guid.NewGuid(), h.Factory.Now, account, true, false, true));
        Assert.That((await h.Read.GetJsonAsync("/v1/marketplace/developers/dev_1"))["payouts_enabled"]!.GetValue<bool>(), Is.False);
    }
}
