using Monetization.Usage.Domain;

namespace Monetization.Usage.Tests;

/// <summary>
/// A batch's rollup changes (<see cref="RollupChanges"/>), from pooled instances (issue 22): an instance handed back and
/// rented again counts only its new batch, and a recount forgets what was counted before. Rows come in the rollup table's key
/// order, and taking a batch's stored duplicates back out leaves what counting only its new events gives (fifteenth session).
/// </summary>
public sealed class RollupChangesTests
{
    private static readonly Meter Tokens = new("tokens", MeterAggregation.Sum, ["model"], null, "tokens", PricedByModel: true);
    private static readonly long Day = new DateTime(2026, 12, 4, 10, 0, 0, DateTimeKind.Utc).Ticks;

    private static CheckedUsageEvent Event(string id, string user, long quantity) =>
        new(0, id, user, Tokens, quantity, quantity, 0, Day, "2026-12", "model=gpt-4o", null, null);

    [Test]
    public void An_event_counts_in_its_month_total_its_dimension_row_and_its_day_total()
    {
        var changes = RollupChanges.Rent([Event("e1", "user_a", 5), Event("e2", "user_a", 7)]);
        try
        {
            Assert.That(changes.Deltas.Keys, Is.EquivalentTo(new[]
            {
                new RollupKey("user_a", "2026-12", "tokens", ""),
                new RollupKey("user_a", "2026-12", "tokens", "model=gpt-4o"),
                new RollupKey("user_a", "2026-12-04", "tokens", ""),
            }));
            Assert.That(changes.Deltas.Values.Select(d => (d.Used, d.Input, d.Events)), Is.All.EqualTo((12L, 12L, 2L)));
        }
        finally
        {
            changes.Return();
        }
    }

    [Test]
    public void A_returned_instance_rented_again_counts_only_the_new_batch()
    {
        for (var round = 0; round < 50; round++)
        {
            var first = RollupChanges.Rent([Event("a", $"user_{round}", 3)]);
            first.Return();
            var second = RollupChanges.Rent([Event("b", "user_b", 4)]);
            try
            {
                Assert.That(second.Deltas.Keys.Select(k => k.UserId).Distinct(), Is.EqualTo(new[] { "user_b" }));
                Assert.That(second.Deltas[new RollupKey("user_b", "2026-12", "tokens", "")].Used, Is.EqualTo(4));
            }
            finally
            {
                second.Return();
            }
        }
    }

    [Test]
    public void A_recount_replaces_what_was_counted()
    {
        var changes = RollupChanges.Rent([Event("new", "user_a", 5), Event("stored", "user_a", 100)]);
        try
        {
            changes.Recount([Event("new", "user_a", 5)]);
            Assert.That(changes.Deltas.Count, Is.EqualTo(3));
            Assert.That(changes.Deltas[new RollupKey("user_a", "2026-12", "tokens", "")].Used, Is.EqualTo(5), "the stored duplicate no longer counts");
        }
        finally
        {
            changes.Return();
        }
    }

    private static readonly Meter ApiCalls = new("api_calls", MeterAggregation.Count, ["endpoint"], null, "api_calls", PricedByModel: false);
    private static readonly Meter Peak = new("peak_seats", MeterAggregation.Max, [], null, null, PricedByModel: false);
    private static readonly Meter Visitors = new("visitors", MeterAggregation.UniqueCount, [], "visitor", null, PricedByModel: false);

    /// <summary>A mixed batch: users, meters, days and dimensions drawn from <paramref name="random"/>.</summary>
    private static List<CheckedUsageEvent> Batch(Random random, int count, params Meter[] meters)
    {
        var events = new List<CheckedUsageEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var meter = meters[random.Next(meters.Length)];
            var quantity = random.Next(1, 5000);
            var dimensions = meter.Dimensions.Count > 0 && random.Next(2) == 0 ? $"{meter.Dimensions[0]}=v{random.Next(3)}" : "";
            var ticks = new DateTime(2026, 12, 1 + random.Next(7), random.Next(24), 0, 0, DateTimeKind.Utc).Ticks;
            events.Add(new CheckedUsageEvent(
                i, $"evt_{i}", $"user_{random.Next(40)}", meter, quantity, meter.PricedByModel ? quantity : 0, meter.PricedByModel ? quantity / 2 : 0, ticks, "2026-12", dimensions,
                meter.Aggregation == MeterAggregation.UniqueCount ? $"visitor_{random.Next(10)}" : null, null));
        }

        return events;
    }

    private static Dictionary<RollupKey, (long Used, long Input, long Output, long Events)> Snapshot(RollupChanges changes) =>
        changes.Deltas.ToDictionary(d => d.Key, d => (d.Value.Used, d.Value.Input, d.Value.Output, d.Value.Events));

    [Test]
    public void Rows_hold_every_change_in_their_tables_key_order()
    {
        var changes = RollupChanges.Rent(Batch(new Random(7), 500, Tokens, ApiCalls));
        try
        {
            var months = changes.Deltas.Keys.Where(k => !UsageDay.IsDay(k.Period))
                .OrderBy(k => k.UserId, StringComparer.Ordinal).ThenBy(k => k.Period, StringComparer.Ordinal)
                .ThenBy(k => k.Meter, StringComparer.Ordinal).ThenBy(k => k.Dimensions, StringComparer.Ordinal);
            var days = changes.Deltas.Keys.Where(k => UsageDay.IsDay(k.Period))
                .OrderBy(k => UsageDay.Number(k.Period)).ThenBy(k => k.UserId, StringComparer.Ordinal).ThenBy(k => k.Meter, StringComparer.Ordinal);
            Assert.That(changes.Rows.Select(r => r.Key), Is.EqualTo(months), "month rows as the month table: user, period, meter, dimensions");
            Assert.That(changes.DayRows.Select(r => r.Key), Is.EqualTo(days), "day totals as the day table: day, user, meter");
            Assert.That(changes.DayRows, Is.Not.Empty);
            Assert.That(changes.DayRows.All(r => r.Key.Dimensions.Length == 0 && !r.Key.IsLimitTotal), "a day total has no dimensions and is no limit's total");
            Assert.That(changes.Rows.Concat(changes.DayRows).All(r => ReferenceEquals(r.Value, changes.Deltas[r.Key])), "the rows are the deltas the store adds");
            Assert.That(changes.Rows.Count + changes.DayRows.Count, Is.EqualTo(changes.Deltas.Count), "every change is in one of the two");
        }
        finally
        {
            changes.Return();
        }
    }

    [Test]
    public void Forgetting_the_stored_duplicates_leaves_what_the_new_events_alone_count([Values(1, 2, 3, 4, 5)] int seed)
    {
        var random = new Random(seed);
        var batch = Batch(random, 400, Tokens, ApiCalls);
        var inserted = batch.Where(_ => random.Next(4) != 0).Select(e => e.EventId).ToHashSet(StringComparer.Ordinal);
        var changes = RollupChanges.Rent(batch);
        var alone = RollupChanges.Rent(batch.Where(e => inserted.Contains(e.EventId)));
        try
        {
            changes.Forget(batch, inserted);
            Assert.That(Snapshot(changes), Is.EquivalentTo(Snapshot(alone)), "count and sum duplicates subtracted, emptied rows dropped");
            Assert.That(changes.Rows.Select(r => r.Key), Is.EqualTo(alone.Rows.Select(r => r.Key)), "still in key order");
            Assert.That(changes.DayRows.Select(r => r.Key), Is.EqualTo(alone.DayRows.Select(r => r.Key)), "day totals too");
        }
        finally
        {
            changes.Return();
            alone.Return();
        }
    }

    [Test]
    public void A_duplicate_that_cannot_be_subtracted_makes_the_new_events_count_again([Values] bool max)
    {
        var random = new Random(11);
        var batch = Batch(random, 300, Tokens, max ? Peak : Visitors);
        var duplicate = batch.First(e => e.Meter.Aggregation is MeterAggregation.Max or MeterAggregation.UniqueCount);
        var inserted = batch.Where(e => e != duplicate && random.Next(5) != 0).Select(e => e.EventId).ToHashSet(StringComparer.Ordinal);
        var changes = RollupChanges.Rent(batch);
        var alone = RollupChanges.Rent(batch.Where(e => inserted.Contains(e.EventId)));
        try
        {
            changes.Forget(batch, inserted);
            Assert.That(Snapshot(changes), Is.EquivalentTo(Snapshot(alone)));
            Assert.That(changes.UniqueValues, Is.EquivalentTo(alone.UniqueValues), "only the new events' values are looked up");
            Assert.That(changes.Rows.Select(r => r.Key), Is.EqualTo(alone.Rows.Select(r => r.Key)));
            Assert.That(changes.DayRows.Select(r => r.Key), Is.EqualTo(alone.DayRows.Select(r => r.Key)));
        }
        finally
        {
            changes.Return();
            alone.Return();
        }
    }
}
