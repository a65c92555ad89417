using System.Net;
using Microsoft.EntityFrameworkCore;
using Monetization.TestKit;
using Monetization.Usage.Data;
using static Monetization.Usage.Tests.UsageFactory;

namespace Monetization.Usage.Tests;

public sealed class IngestionTests
{
    private static async Task<long> EventCountAsync(UsageFactory f) => await f.QueryAsync<UsageDbContext, int>(db => db.Events.CountAsync());

    private static Task<long> UsedAsync(UsageFactory f, string user, string meter, string period = "2026-11", string dimensions = "") =>
        f.QueryAsync<UsageDbContext, long>(db => db.Rollups.Where(r => r.UserId == user && r.Meter == meter && r.Period == period && r.Dimensions == dimensions).Select(r => r.Used).FirstOrDefaultAsync());

    [Test]
    public async Task A_batch_is_accepted_and_rolled_up_per_meter_and_dimension()
    {
        await using var f = new UsageFactory();
        var at = f.Now.AddMinutes(-5);
        var body = await f.IngestAsync(
            Event("e1", "u1", "api_calls", null, at, new { endpoint = "/chat" }),
            Event("e2", "u1", "api_calls", 1, at, new { endpoint = "/chat" }),
            Event("e3", "u1", "api_calls", 1, at, new { endpoint = "/embed" }),
            Tokens("e4", "u1", "gpt-4o", 1_000, 200, at),
            Tokens("e5", "u1", "mini", 50, 0, at, plugin: "plg_a"));

        Assert.That(body["accepted"]!.GetValue<int>(), Is.EqualTo(5));
        Assert.That(body["duplicates"]!.GetValue<int>(), Is.Zero);
        Assert.That(await UsedAsync(f, "u1", "api_calls"), Is.EqualTo(3));
        Assert.That(await UsedAsync(f, "u1", "api_calls", dimensions: "endpoint=%2Fchat"), Is.EqualTo(2));
        Assert.That(await UsedAsync(f, "u1", "tokens"), Is.EqualTo(1_250));
        Assert.That(await UsedAsync(f, "u1", "tokens", dimensions: "model=gpt-4o"), Is.EqualTo(1_200));
        Assert.That(await UsedAsync(f, "u1", "tokens", dimensions: "model=mini&plugin_id=plg_a"), Is.EqualTo(50));
        var tokens = await f.QueryAsync<UsageDbContext, Domain.UsageRollup>(db => db.Rollups.SingleAsync(r => r.Meter == "tokens" && r.Dimensions == ""));
        Assert.That((tokens.InputTokens, tokens.OutputTokens, tokens.Events), Is.EqualTo((1_050L, 200L, 2L)));
        Assert.That(await f.QueryAsync<UsageDbContext, int>(db => db.Rollups.CountAsync(r => r.Period.Length != 7)), Is.Zero, "the month table holds month rows only");
        var day = await f.QueryAsync<UsageDbContext, Domain.UsageDayTotal>(db => db.DayTotals.SingleAsync(d => d.Meter == "tokens"));
        Assert.That((day.UserId, day.Used, day.InputTokens, day.OutputTokens, day.Events), Is.EqualTo(("u1", 1_250L, 1_050L, 200L, 2L)), "the day total beside it");
    }

    [TestCase(0)]
    [TestCase(1_001)]
    public async Task A_batch_outside_1_to_1000_events_is_refused(int count)
    {
        await using var f = new UsageFactory();
        var events = Enumerable.Range(0, count).Select(i => Event($"e{i}", "u1", "api_calls", 1, f.Now)).ToArray();
        using var response = await f.CreateAdminClient().PostJsonAsync("/v1/usage/events", new { events });
        await response.ShouldBeProblemAsync(422, field: "events");
        Assert.That(await EventCountAsync(f), Is.Zero);
    }

    [Test]
    public async Task A_batch_of_exactly_1000_events_is_accepted()
    {
        await using var f = new UsageFactory();
        var events = Enumerable.Range(0, 1_000).Select(i => Event($"e{i}", $"u{i % 7}", "api_calls", 1, f.Now)).ToArray();
        var body = await f.IngestAsync(events);
        Assert.That(body["accepted"]!.GetValue<int>(), Is.EqualTo(1_000));
        Assert.That(await EventCountAsync(f), Is.EqualTo(1_000));
    }

    [Test]
    public async Task One_bad_event_refuses_the_whole_batch_naming_each_bad_index_and_field()
    {
        await using var f = new UsageFactory();
        var events = new object[]
        {
            Event("ok", "u1", "api_calls", 1, f.Now),
            Event("bad-meter", "u1", "gigawatts", 1, f.Now),
            Event("negative", "u1", "tokens", -5, f.Now, new { model = "gpt-4o" }),
            new { event_id = "fraction", user_id = "u1", meter = "tokens", quantity = 1.5m, timestamp = f.Now, properties = new { model = "gpt-4o" } },
            Event("", "u1", "api_calls", 1, f.Now),
            Event("no-user", "", "api_calls", 1, f.Now),
            Event("future", "u1", "api_calls", 1, f.Now.AddHours(1)),
            Event("closed", "u1", "api_calls", 1, new DateTimeOffset(2026, 9, 30, 0, 0, 0, TimeSpan.Zero)),
            Event("no-model", "u1", "tokens", 10, f.Now),
            Event("mismatch", "u1", "tokens", 10, f.Now, new { model = "mini", input_tokens = 3, output_tokens = 3 }),
            Event("sum-without-quantity", "u1", "tokens", null, f.Now, new { model = "mini" }),
            Event("object-dimension", "u1", "api_calls", 1, f.Now, new { endpoint = new { path = "/x" } }),
            new { event_id = "no-timestamp", user_id = "u1", meter = "api_calls" },
            new { event_id = "properties-array", user_id = "u1", meter = "api_calls", timestamp = f.Now, properties = new[] { 1, 2 } },
            Event("bad-tokens", "u1", "tokens", null, f.Now, new { model = "mini", input_tokens = -3 }),
        };
        using var response = await f.CreateAdminClient().PostJsonAsync("/v1/usage/events", new { events });
        var problem = await response.ShouldBeProblemAsync(422, type: "validation_failed");
        var errors = problem["errors"]!.AsObject().Select(e => e.Key).ToList();
        Assert.That(errors, Is.SupersetOf(new[]
        {
            "events[1].meter", "events[2].quantity", "events[3].quantity", "events[4].event_id", "events[5].user_id", "events[6].timestamp",
            "events[7].timestamp", "events[8].properties.model", "events[9].quantity", "events[10].quantity", "events[11].properties.endpoint", "events[12].timestamp",
            "events[13].properties", "events[14].properties.input_tokens",
        }));
        Assert.That(errors, Has.None.StartsWith("events[0]"));
        Assert.That(problem["errors"]!["events[7].timestamp"]![0]!.GetValue<string>(), Does.Contain("2026-09").And.Contain("LateDays"));
        Assert.That(await EventCountAsync(f), Is.Zero, "nothing of a refused batch is stored");
        Assert.That(await f.QueryAsync<UsageDbContext, int>(db => db.Rollups.CountAsync()), Is.Zero);
    }

    [Test]
    public async Task Malformed_json_and_missing_events_are_refused()
    {
        await using var f = new UsageFactory();
        using var malformed = await f.CreateAdminClient().PostJsonAsync("/v1/usage/events", "{\"events\": [");
        await malformed.ShouldBeProblemAsync(400);
        using var missing = await f.CreateAdminClient().PostJsonAsync("/v1/usage/events", new { });
        await missing.ShouldBeProblemAsync(422, field: "events");
        using var readOnly = await f.CreateReadClient().PostJsonAsync("/v1/usage/events", new { events = new[] { Event("e1", "u1", "api_calls", 1, f.Now) } });
        Assert.That(readOnly.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [TestCase("null", "empty_body", null)]
    [TestCase("[]", "malformed_json", null)]
    [TestCase("{\"events\": {}}", "malformed_json", "events")]
    [TestCase("{\"events\": [{\"event_id\": 5}]}", "malformed_json", "events[0].event_id")]
    [TestCase("{\"events\": [{\"event_id\": \"e1\"}, {\"quantity\": \"5\"}]}", "malformed_json", "events[1].quantity")]
    [TestCase("{\"events\": [{\"timestamp\": \"yesterday\"}]}", "malformed_json", "events[0].timestamp")]
    [TestCase("{\"events\": [7]}", "malformed_json", "events[0]")]
    [TestCase("{\"events\": []} {}", "malformed_json", null)]
    public async Task A_body_of_the_wrong_shape_is_a_400_naming_where_and_stores_nothing(string body, string type, string? where)
    {
        await using var f = new UsageFactory();
        using var response = await f.CreateAdminClient().PostJsonAsync("/v1/usage/events", body);
        var problem = await response.ShouldBeProblemAsync(400, type: type);
        if (where is not null)
        {
            Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain(" at " + where + ":"));
        }

        Assert.That(await UsedAsync(f, "u1", "api_calls", f.Now.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture)), Is.Zero);
    }

    [Test]
    public async Task Unknown_members_are_ignored_and_a_repeated_member_keeps_its_last_value()
    {
        await using var f = new UsageFactory();
        var timestamp = f.Now.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var body = "{\"source\": \"sdk\", \"events\": [{\"event_id\": \"x1\", \"user_id\": \"u1\", \"meter\": \"api_calls\", \"extra\": {\"a\": [1, 2]}, "
            + "\"quantity\": 1, \"timestamp\": \"" + timestamp + "\", \"event_id\": \"x2\"}]}";
        using var response = await f.CreateAdminClient().PostJsonAsync("/v1/usage/events", body);
        var accepted = await response.ReadJsonAsync(202);
        Assert.That(accepted["accepted"]!.GetValue<int>(), Is.EqualTo(1));
        var again = await f.IngestAsync(Event("x2", "u1", "api_calls", 1, f.Now));
        Assert.That(again["duplicates"]!.GetValue<int>(), Is.EqualTo(1), "the event was stored under its last event_id");
    }

    [Test]
    public async Task An_event_within_LateDays_of_the_previous_month_is_accepted_into_that_month()
    {
        await using var f = new UsageFactory();
        var october = new DateTimeOffset(2026, 10, 31, 23, 0, 0, TimeSpan.Zero);
        await f.IngestAsync(Event("late", "u1", "api_calls", 1, october), Event("skew", "u1", "api_calls", 1, f.Now.AddMinutes(4)));
        Assert.That(await UsedAsync(f, "u1", "api_calls", "2026-10"), Is.EqualTo(1));
        Assert.That(await UsedAsync(f, "u1", "api_calls", "2026-11"), Is.EqualTo(1));
    }

    [Test]
    public async Task Duplicates_inside_a_batch_and_across_batches_are_counted_not_stored()
    {
        await using var f = new UsageFactory();
        var first = await f.IngestAsync(
            Tokens("t1", "u1", "gpt-4o", 100, 0, f.Now),
            Tokens("t1", "u1", "gpt-4o", 100, 0, f.Now),
            Tokens("t2", "u1", "gpt-4o", 50, 0, f.Now));
        Assert.That((first["accepted"]!.GetValue<int>(), first["duplicates"]!.GetValue<int>()), Is.EqualTo((2, 1)));

        var second = await f.IngestAsync(Tokens("t1", "u1", "gpt-4o", 100, 0, f.Now), Tokens("t3", "u1", "gpt-4o", 7, 0, f.Now));
        Assert.That((second["accepted"]!.GetValue<int>(), second["duplicates"]!.GetValue<int>()), Is.EqualTo((1, 1)));
        Assert.That(await UsedAsync(f, "u1", "tokens"), Is.EqualTo(157));
        Assert.That(await EventCountAsync(f), Is.EqualTo(3));
    }

    [Test]
    public async Task Concurrent_duplicate_batches_keep_rollups_exact()
    {
        await using var f = new UsageFactory();
        _ = f.Server;
        var shared = Enumerable.Range(0, 500).Select(i => Tokens($"shared-{i}", $"u{i % 5}", i % 2 == 0 ? "gpt-4o" : "mini", 10, 1, f.Now)).ToArray();
        var tasks = Enumerable.Range(0, 4).Select(async client =>
        {
            var own = Enumerable.Range(0, 100).Select(i => Tokens($"own-{client}-{i}", $"u{i % 5}", "mini", 10, 1, f.Now));
            using var response = await f.CreateAdminClient().PostJsonAsync("/v1/usage/events", new { events = shared.Concat(own).ToArray() });
            return await response.ReadJsonAsync(202);
        }).ToList();
        var results = await Task.WhenAll(tasks);

        Assert.That(results.Sum(r => r["accepted"]!.GetValue<int>()), Is.EqualTo(500 + 400));
        Assert.That(results.Sum(r => r["duplicates"]!.GetValue<int>()), Is.EqualTo(3 * 500));
        Assert.That(await EventCountAsync(f), Is.EqualTo(900));
        var total = await f.QueryAsync<UsageDbContext, long>(db => db.Rollups.Where(r => r.Meter == "tokens" && r.Dimensions == "").SumAsync(r => r.Used));
        Assert.That(total, Is.EqualTo(900 * 11));
        var byModel = await f.QueryAsync<UsageDbContext, long>(db => db.Rollups.Where(r => r.Meter == "tokens" && r.Dimensions == "model=gpt-4o").SumAsync(r => r.Used));
        Assert.That(byModel, Is.EqualTo(250 * 11));
    }

    [Test]
    public async Task Configured_max_and_unique_count_meters_aggregate_as_declared()
    {
        await using var f = new UsageFactory();
        f.WithSetting("Usage:Meters:storage_gb:Aggregation", "max")
            .WithSetting("Usage:Meters:active_members:Aggregation", "unique_count")
            .WithSetting("Usage:Meters:active_members:UniqueProperty", "member_id")
            .WithSetting("Usage:Meters:active_members:Dimensions:0", "plugin_id");
        await f.IngestAsync(
            Event("s1", "u1", "storage_gb", 12, f.Now),
            Event("s2", "u1", "storage_gb", 40, f.Now),
            Event("s3", "u1", "storage_gb", 25, f.Now),
            Event("m1", "u1", "active_members", null, f.Now, new { member_id = "alice", plugin_id = "plg_1" }),
            Event("m2", "u1", "active_members", null, f.Now, new { member_id = "bob", plugin_id = "plg_1" }),
            Event("m3", "u1", "active_members", null, f.Now, new { member_id = "alice", plugin_id = "plg_2" }));
        await f.IngestAsync(Event("s4", "u1", "storage_gb", 30, f.Now), Event("m4", "u1", "active_members", null, f.Now, new { member_id = "bob" }));

        Assert.That(await UsedAsync(f, "u1", "storage_gb"), Is.EqualTo(40));
        Assert.That(await UsedAsync(f, "u1", "active_members"), Is.EqualTo(2));
        Assert.That(await UsedAsync(f, "u1", "active_members", dimensions: "plugin_id=plg_1"), Is.EqualTo(2));
        using var missing = await f.CreateAdminClient().PostJsonAsync("/v1/usage/events", new { events = new[] { Event("m5", "u1", "active_members", null, f.Now) } });
        await missing.ShouldBeProblemAsync(422, field: "events[0].properties.member_id");
    }

    [Test]
    public async Task A_period_already_invoiced_takes_no_more_events()
    {
        await using var f = new UsageFactory();
        var october = new DateTimeOffset(2026, 10, 20, 0, 0, 0, TimeSpan.Zero);
        await f.IngestAsync(Tokens("t1", "u1", "gpt-4o", 1_000_000, 0, october));
        using (var run = await f.CreateAdminClient().PostJsonAsync("/v1/usage/invoices", new { period = "2026-10" }))
        {
            await run.ReadJsonAsync();
        }

        using var late = await f.CreateAdminClient().PostJsonAsync("/v1/usage/events", new { events = new[] { Tokens("t2", "u1", "gpt-4o", 5, 0, october), Tokens("t3", "u1", "gpt-4o", 5, 0, f.Now) } });
        var problem = await late.ShouldBeProblemAsync(422, field: "events[0].timestamp");
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Has.None.EqualTo("events[1].timestamp"));
        Assert.That(await EventCountAsync(f), Is.EqualTo(1));
    }
}
