using Monetization.TestKit;

namespace Monetization.Marketplace.Tests;

/// <summary>Issue 19's read: <c>GET /v1/metrics/marketplace</c>.</summary>
public sealed class MetricsTests
{
    [Test]
    public async Task Developers_are_listed_with_their_onboarding_state_and_a_malformed_period_is_422()
    {
        await using var harness = new MarketplaceHarness();
        (await harness.Admin.PostJsonAsync("/v1/marketplace/developers", new { developer_id = "dev_metrics", name = "Metrics Dev", email = "m@dev.test" })).EnsureSuccessStatusCode();
        var metrics = await harness.Read.GetJsonAsync("/v1/metrics/marketplace?period=2026-11");
        Assert.That(metrics["period"]!.GetValue<string>(), Is.EqualTo("2026-11"));
        var developer = metrics["developers"]!.AsArray().Single(d => d!["id"]!.GetValue<string>() == "dev_metrics")!;
        Assert.That(developer["onboarding"]!.GetValue<string>(), Is.EqualTo("not_started"));
        Assert.That(developer["plugins"]!.GetValue<int>(), Is.Zero);
        Assert.That(metrics["totals"]!.AsArray(), Is.Empty);
        Assert.That(metrics["carried_debts"]!.AsArray(), Is.Empty);
        await (await harness.Read.GetAsync("/v1/metrics/marketplace?period=2026-13")).ShouldBeProblemAsync(422, "period");
    }
}
