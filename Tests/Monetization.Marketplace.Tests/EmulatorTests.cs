using Monetization.IntegrationEvents.Subscriptions;
using Monetization.TestKit;

namespace Monetization.Marketplace.Tests;

/// <summary>The Stripe-dependent paths against the Host's in-process Stripe emulator (the real client, form encoding and retries).</summary>
public sealed class EmulatorTests
{
    [Test]
    public async Task Onboarding_publish_checkout_and_a_payout_that_fails_then_recovers_against_the_emulator()
    {
        await using var factory = new MonetizationFactory()
            .WithSetting("Marketplace:PayoutScheduleEnabled", "false")
            .WithSetting("Stripe:RetryBaseDelayMilliseconds", "1")
            .WithSetting("Stripe:RetryMaxDelayMilliseconds", "2");
        using var admin = factory.CreateAdminClient();

        using (var developer = await admin.PostJsonAsync("/v1/marketplace/developers", new { developer_id = "dev_1", name = "Acme", email = "dev@example.com" }))
        {
            await developer.ReadJsonAsync(201);
        }

        using var onboarding = await admin.PostAsync("/v1/marketplace/developers/dev_1/onboarding", null);
        var link = await onboarding.ReadJsonAsync(200);
        var account = link.Str("stripe_account_id");
        Assert.That(account, Does.StartWith("acct_"));
        Assert.That(link.Str("url"), Does.StartWith("http"));
        await factory.PublishAsync(new ConnectedAccountUpdated(Guid.NewGuid(), factory.Now, account, true, true, true));

        using var published = await admin.PostJsonAsync("/v1/marketplace/plugins",
            new { developer_id = "dev_1", slug = "themes", name = "Themes", pricing = new { model = "one_time", amount = 10_000, currency = "usd" } });
        var plugin = await published.ReadJsonAsync(201);
        Assert.That(plugin.Str("stripe_price_id"), Does.StartWith("price_"));

        using var installed = await admin.PostJsonAsync($"/v1/marketplace/plugins/{plugin.Str("id")}/installs", new { user_id = "u1" });
        var install = await installed.ReadJsonAsync(201);
        Assert.That(install.Str("checkout_session_id"), Does.StartWith("cs_"));
        await factory.PublishAsync(new CheckoutCompleted(Guid.NewGuid(), factory.Now, install.Str("checkout_session_id"), "u1", null,
            CheckoutPurposes.MarketplacePlugin, 10_000, "usd", "pi_1",
            new Dictionary<string, string> { ["purpose"] = CheckoutPurposes.MarketplacePlugin, ["install_id"] = install.Str("install_id"), ["plugin_id"] = plugin.Str("id") }));

        factory.Clock.Advance(TimeSpan.FromDays(15));
        await factory.FailStripeAsync("/v1/transfers", count: 10, status: 500);
        using (var failing = await admin.PostJsonAsync("/v1/marketplace/payouts", new { period = "2026-11" }))
        {
            var run = await failing.ReadJsonAsync(200);
            Assert.That(run.Long("failed"), Is.EqualTo(1));
        }

        using (var clear = factory.CreateAnonymousClient())
        {
            using var cleared = await clear.DeleteAsync("/_stripe/_test/faults");
            Assert.That((int)cleared.StatusCode, Is.InRange(200, 299));
        }

        using var recovered = await admin.PostJsonAsync("/v1/marketplace/payouts", new { period = "2026-11" });
        var payout = (await recovered.ReadJsonAsync(200))["payouts"]![0]!;
        Assert.That(payout.Str("status"), Is.EqualTo("paid"));
        Assert.That(payout.Str("transfer_id"), Does.StartWith("tr_"));
        Assert.That(payout.Long("amount"), Is.EqualTo(7000));
    }
}
