using System.Text.Json.Nodes;
using Monetization.TestKit;

namespace Monetization.Subscriptions.Tests.Features;

/// <summary>Issue 19's reads: <c>GET /v1/metrics/subscriptions</c> and <c>GET /v1/stripe_events/{id}</c>.</summary>
public sealed class MetricsTests : SubscriptionsTestBase
{
    [Test]
    public async Task Metrics_count_subscribers_by_plan_and_status_and_sum_mrr_per_currency()
    {
        var empty = await Admin.GetJsonAsync("/v1/metrics/subscriptions");
        Assert.That(empty["subscribers"]!.AsArray(), Is.Empty);
        Assert.That(empty["mrr"]!.AsArray(), Is.Empty);
        Assert.That(empty["mrr_history"]!.AsArray(), Has.Count.EqualTo(12));

        await SubscribeAsync("user_m1", "premium", "monthly");
        await SubscribeAsync("user_m2", "pro", "monthly");
        using var read = Factory.CreateReadClient();
        var metrics = await read.GetJsonAsync("/v1/metrics/subscriptions");
        var rows = metrics["subscribers"]!.AsArray().Select(r => (r!["plan"]!.GetValue<string>(), r["status"]!.GetValue<string>(), r["count"]!.GetValue<int>())).ToList();
        Assert.That(rows, Is.EquivalentTo(new[] { ("premium", "active", 1), ("pro", "active", 1) }));
        Assert.That(metrics["mrr"]!.ToJsonString(), Is.EqualTo("""[{"currency":"usd","amount":6900}]"""), "2,000 + 4,900 cents a month");
        var history = metrics["mrr_history"]!.AsArray();
        Assert.That(history[^1]!["mrr"]!.ToJsonString(), Is.EqualTo(metrics["mrr"]!.ToJsonString()), "the current month's point is now");
        Assert.That(history[^2]!["mrr"]!.AsArray(), Is.Empty, "nobody paid at the end of last month");
        Assert.That(metrics["mrr_change"]!.ToJsonString(), Is.EqualTo("""[{"currency":"usd","amount":6900}]"""));
        Assert.That(metrics["users_in_grace"]!.GetValue<int>(), Is.Zero);
        Assert.That(metrics["failed_payments_last_seven_days"]!.GetValue<int>(), Is.Zero);
    }

    [Test]
    public async Task A_stored_event_is_read_with_its_payload_as_received()
    {
        await SubscribeAsync("user_m3");
        var list = await Admin.GetJsonAsync("/v1/stripe_events?limit=1");
        var id = list["data"]![0]!["id"]!.GetValue<string>();
        var stored = await Admin.GetJsonAsync($"/v1/stripe_events/{id}");
        Assert.That(stored["status"]!.GetValue<string>(), Is.EqualTo(list["data"]![0]!["status"]!.GetValue<string>()));
        Assert.That(JsonNode.Parse(stored["payload"]!.GetValue<string>())!["id"]!.GetValue<string>(), Is.EqualTo(id));

        await (await Admin.GetAsync("/v1/stripe_events/evt_nothing_like_it")).ShouldBeProblemAsync(404);
        await (await Admin.GetAsync("/v1/stripe_events/not-an-event")).ShouldBeProblemAsync(422, "event_id");
        using var read = Factory.CreateReadClient();
        Assert.That((int)(await read.GetAsync($"/v1/stripe_events/{id}")).StatusCode, Is.EqualTo(403), "admin only, like the list");
    }
}
