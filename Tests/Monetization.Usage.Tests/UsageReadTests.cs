using System.Text.Json.Nodes;
using Monetization.TestKit;
using static Monetization.Usage.Tests.UsageFactory;

namespace Monetization.Usage.Tests;

/// <summary>Issue 20's reads: a user's raw events (paged) and the usage summary answered from rollups.</summary>
public sealed class UsageReadTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 10, 30, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day2 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day3 = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);

    private static async Task<UsageFactory> SeededAsync()
    {
        var f = new UsageFactory();
        await f.IngestAsync(
            Tokens("t1", "u1", "gpt-4o", 100, 10, Day1),
            Tokens("t2", "u1", "gpt-4o", 200, 20, Day2, plugin: "plg_a"),
            Tokens("t3", "u1", "mini", 300, 30, Day2, plugin: "plg_a"),
            Tokens("t4", "u1", "mini", 400, 40, Day3),
            Event("c1", "u1", "api_calls", 1, Day2),
            Event("c2", "u1", "api_calls", 1, Day3, new { endpoint = "/v1/run" }),
            Tokens("other", "u2", "gpt-4o", 999, 0, Day2));
        return f;
    }

    private static IEnumerable<string> Ids(JsonNode page) => page["data"]!.AsArray().Select(e => e!["event_id"]!.GetValue<string>());

    [Test]
    public async Task Events_are_listed_newest_first_filtered_by_time_and_meter_and_paged()
    {
        await using var f = await SeededAsync();
        var read = f.CreateReadClient();
        var all = await read.GetJsonAsync("/v1/usage/u1/events");
        Assert.That(Ids(all), Is.EqualTo(new[] { "t4", "c2", "t3", "t2", "c1", "t1" }));
        Assert.That(all["has_more"]!.GetValue<bool>(), Is.False);
        Assert.That(all["data"]![0]!["properties"]!["model"]!.GetValue<string>(), Is.EqualTo("mini"));

        Assert.That(Ids(await read.GetJsonAsync("/v1/usage/u1/events?meter=tokens&from=2026-11-01&to=2026-11-01")), Is.EqualTo(new[] { "t3", "t2" }));
        Assert.That(Ids(await read.GetJsonAsync("/v1/usage/u1/events?from=2026-11-01T09:00:00Z&to=2026-11-02T10:00:00Z")), Is.EqualTo(new[] { "t3", "t2", "c1" }));
        Assert.That(Ids(await read.GetJsonAsync("/v1/usage/u1/events?from=2026-10&to=2026-10")), Is.EqualTo(new[] { "t1" }));

        var pages = new List<string>();
        string? after = null;
        bool more;
        do
        {
            var page = await read.GetJsonAsync("/v1/usage/u1/events?limit=4" + (after is null ? "" : $"&starting_after={after}"));
            pages.AddRange(Ids(page));
            more = page["has_more"]!.GetValue<bool>();
            after = pages[^1];
        }
        while (more);
        Assert.That(pages, Is.EqualTo(Ids(all)));
    }

    [TestCase("limit=0", "limit")]
    [TestCase("limit=abc", "limit")]
    [TestCase("from=yesterday", "from")]
    [TestCase("to=2026-13-01", "to")]
    [TestCase("from=2026-11-02&to=2026-11-01", "to")]
    [TestCase("meter=nope", "meter")]
    [TestCase("starting_after=u2-not-mine", "starting_after")]
    public async Task Bad_event_queries_are_422_naming_the_field(string query, string field)
    {
        await using var f = await SeededAsync();
        using var response = await f.CreateReadClient().GetAsync($"/v1/usage/u1/events?{query}");
        await response.ShouldBeProblemAsync(422, field);
    }

    [Test]
    public async Task Another_users_event_is_not_a_cursor()
    {
        await using var f = await SeededAsync();
        using var response = await f.CreateReadClient().GetAsync("/v1/usage/u1/events?starting_after=other");
        await response.ShouldBeProblemAsync(422, "starting_after", "unknown_cursor");
    }

    [Test]
    public async Task The_summary_groups_by_model_plugin_or_day_from_the_rollups()
    {
        await using var f = await SeededAsync();
        var read = f.CreateReadClient();
        var byModel = await read.GetJsonAsync("/v1/usage/u1/summary?from=2026-10&to=2026-11&group_by=model");
        Assert.That(Rows(byModel), Is.EquivalentTo(new[]
        {
            ("gpt-4o", "tokens", 330L, 300L, 30L),
            ("mini", "tokens", 770L, 700L, 70L),
            ((string?)null, "api_calls", 2L, 0L, 0L),
        }));

        var byPlugin = await read.GetJsonAsync("/v1/usage/u1/summary?from=2026-11&to=2026-11&group_by=plugin_id");
        Assert.That(Rows(byPlugin), Is.EquivalentTo(new[]
        {
            ("plg_a", "tokens", 550L, 500L, 50L),
            ((string?)null, "tokens", 440L, 400L, 40L),
            ((string?)null, "api_calls", 2L, 0L, 0L),
        }));

        var byDay = await read.GetJsonAsync("/v1/usage/u1/summary?from=2026-10-30&to=2026-11-02&group_by=day");
        Assert.That(Rows(byDay), Is.EquivalentTo(new[]
        {
            ("2026-10-30", "tokens", 110L, 100L, 10L),
            ("2026-11-01", "tokens", 550L, 500L, 50L),
            ("2026-11-01", "api_calls", 1L, 0L, 0L),
            ("2026-11-02", "tokens", 440L, 400L, 40L),
            ("2026-11-02", "api_calls", 1L, 0L, 0L),
        }));
        Assert.That((byDay["from"]!.GetValue<string>(), byDay["to"]!.GetValue<string>()), Is.EqualTo(("2026-10-30", "2026-11-02")));

        // Day rows never count against a month's limit: the month consumption is unchanged by them.
        var consumption = await read.GetJsonAsync("/v1/usage/u1/consumption?month=2026-11");
        Assert.That(consumption["meters"]!.AsArray().Single(m => m!["meter"]!.GetValue<string>() == "tokens")!["used"]!.GetValue<long>(), Is.EqualTo(990));
    }

    [Test]
    public async Task The_summary_by_day_keeps_each_days_max_and_distinct_values_once()
    {
        await using var f = new UsageFactory();
        f.WithSetting("Usage:Meters:storage_gb:Aggregation", "max")
            .WithSetting("Usage:Meters:active_members:Aggregation", "unique_count")
            .WithSetting("Usage:Meters:active_members:UniqueProperty", "member_id");
        await f.IngestAsync(
            Event("s1", "u1", "storage_gb", 12, Day2),
            Event("s2", "u1", "storage_gb", 40, Day2),
            Event("s3", "u1", "storage_gb", 25, Day3),
            Event("m1", "u1", "active_members", null, Day2, new { member_id = "alice" }),
            Event("m2", "u1", "active_members", null, Day2, new { member_id = "bob" }),
            Event("m3", "u1", "active_members", null, Day3, new { member_id = "alice" }));

        // A second batch: a stored duplicate (s2 again), a smaller value on day 3, alice again on day 3.
        await f.IngestAsync(
            Event("s2", "u1", "storage_gb", 40, Day2),
            Event("s4", "u1", "storage_gb", 30, Day3),
            Event("m4", "u1", "active_members", null, Day3, new { member_id = "alice" }));

        var byDay = await f.CreateReadClient().GetJsonAsync("/v1/usage/u1/summary?from=2026-11-01&to=2026-11-02&group_by=day");
        Assert.That(Rows(byDay), Is.EquivalentTo(new[]
        {
            ("2026-11-01", "storage_gb", 40L, 0L, 0L),
            ("2026-11-02", "storage_gb", 30L, 0L, 0L),
            ("2026-11-01", "active_members", 2L, 0L, 0L),
            ("2026-11-02", "active_members", 1L, 0L, 0L),
        }));
        Assert.That(
            byDay["data"]!.AsArray().Select(g => (g!["key"]!.GetValue<string>(), g["meter"]!.GetValue<string>(), g["events"]!.GetValue<long>())),
            Is.EquivalentTo(new[] { ("2026-11-01", "storage_gb", 2L), ("2026-11-02", "storage_gb", 2L), ("2026-11-01", "active_members", 2L), ("2026-11-02", "active_members", 2L) }),
            "the duplicate counts once");
    }

    [TestCase("group_by=plugin", "group_by")]
    [TestCase("group_by=model&from=2026-11-05", "from")]
    [TestCase("group_by=model&to=2026-11-05T00:00:00Z", "to")]
    [TestCase("group_by=day&from=2026-11-05&to=2026-11-01", "to")]
    [TestCase("group_by=day&from=2025-01-01&to=2026-11-01", "to")]
    [TestCase("from=soon", "from")]
    public async Task Bad_summary_queries_are_422_naming_the_field(string query, string field)
    {
        await using var f = await SeededAsync();
        using var response = await f.CreateReadClient().GetAsync($"/v1/usage/u1/summary?{query}");
        await response.ShouldBeProblemAsync(422, field);
    }

    private static IEnumerable<(string? Key, string Meter, long Used, long Input, long Output)> Rows(JsonNode summary) =>
        summary["data"]!.AsArray().Select(g => (g!["key"]?.GetValue<string>(), g["meter"]!.GetValue<string>(), g["used"]!.GetValue<long>(), g["input_tokens"]!.GetValue<long>(), g["output_tokens"]!.GetValue<long>()));
}
