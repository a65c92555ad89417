using Monetization.TestKit;

namespace Monetization.Referrals.Tests.Features;

/// <summary>Issue 19's read: <c>GET /v1/metrics/referrals</c>.</summary>
public sealed class MetricsTests
{
    [Test]
    public async Task Metrics_count_captured_referrals_per_reward_status()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        using var admin = factory.CreateAdminClient();
        var empty = await admin.GetJsonAsync("/v1/metrics/referrals");
        Assert.That((empty["captured"]!.GetValue<int>(), empty["converted"]!.GetValue<int>(), empty["conversion_rate_bps"]!.GetValue<long>()), Is.EqualTo((0, 0, 0L)));

        var code = await factory.CodeOfAsync("user_referrer");
        (await admin.PostJsonAsync("/v1/referrals/capture", new { user_id = "user_friend", code })).EnsureSuccessStatusCode();
        using var read = factory.CreateReadClient();
        var metrics = await read.GetJsonAsync("/v1/metrics/referrals");
        Assert.That(metrics["captured"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(metrics["converted"]!.GetValue<int>(), Is.Zero, "nobody paid yet");
        Assert.That(metrics["by_reward_status"]!.ToJsonString(), Is.EqualTo("""[{"status":"pending","count":1}]"""));
    }
}
