using Monetization.TestKit;

namespace Monetization.Subscriptions.Tests.Features;

public sealed class PlansTests : SubscriptionsTestBase
{
    protected override void Configure(MonetizationFactory factory) =>
        factory.WithSetting("Plans:pro:Limits:Deploys", "50").WithSetting("Plans:team:Name", "Team").WithSetting("Plans:team:Rank", "3")
            .WithSetting("Plans:team:Prices:monthly:Amount", "9900").WithSetting("Plans:team:Limits:Projects", "unlimited");

    [Test]
    public async Task Lists_the_catalog_without_an_api_key_with_seed_limits_and_config_overrides()
    {
        using var anonymous = Factory.CreateAnonymousClient();
        var plans = (await anonymous.GetJsonAsync("/v1/plans"))["data"]!.AsArray();
        Assert.That(plans.Select(p => p!["key"]!.GetValue<string>()), Is.EqualTo(new[] { "free", "premium", "pro", "team" }));
        var free = plans[0]!;
        Assert.Multiple(() =>
        {
            Assert.That(free["paid"]!.GetValue<bool>(), Is.False);
            Assert.That(free["entitlements"]!["projects"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(free["entitlements"]!["api_calls"]!.GetValue<long>(), Is.EqualTo(300));
            Assert.That(free["entitlements"]!["tokens"]!.GetValue<long>(), Is.EqualTo(100_000));
        });
        var premium = plans[1]!;
        Assert.That(premium["prices"]!.AsArray().Select(p => (p!["cadence"]!.GetValue<string>(), p["amount"]!.GetValue<long>(), p["trial_days"]!.GetValue<int>())),
            Is.EqualTo(new[] { ("monthly", 2000L, 0), ("annual", 20000L, 14) }));
        var pro = plans[2]!;
        Assert.Multiple(() =>
        {
            Assert.That(pro["entitlements"]!["projects"], Is.Null, "unlimited");
            Assert.That(pro["entitlements"]!["deploys"]!.GetValue<long>(), Is.EqualTo(50), "overridden by Plans:pro:Limits:Deploys");
            Assert.That(plans[3]!["prices"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(plans[3]!["entitlements"]!["projects"], Is.Null);
            Assert.That(plans[3]!["entitlements"]!["tokens"]!.GetValue<long>(), Is.EqualTo(0), "a new plan starts from zero limits");
        });
    }

    [Test]
    public async Task Prices_are_created_in_the_emulator_and_reused_by_lookup_key()
    {
        var session = await StartCheckoutAsync("u_prices", "pro", "annual");
        Assert.That(session["session_id"]!.GetValue<string>(), Does.StartWith("cs_"));
        using var anonymous = Factory.CreateAnonymousClient();
        var plans = (await anonymous.GetJsonAsync("/v1/plans"))["data"]!.AsArray();
        var ids = plans.SelectMany(p => p!["prices"]!.AsArray()).Select(p => p!["stripe_price_id"]?.GetValue<string>()).ToList();
        Assert.That(ids, Has.All.StartWith("price_"));
        Assert.That(ids.Distinct().Count(), Is.EqualTo(ids.Count));
    }
}
