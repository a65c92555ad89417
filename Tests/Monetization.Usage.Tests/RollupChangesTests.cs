using Monetization.Usage.Domain;

namespace Monetization.Usage.Tests;

/// <summary>
/// A batch's rollup changes (<see cref="RollupChanges"/>), from pooled instances (issue 22): an instance handed back and
/// rented again counts only its new batch, and a recount forgets what was counted before.
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
}
