using Microsoft.Extensions.ObjectPool;

namespace Monetization.Usage.Domain;

/// <summary>An event checked and normalised for storage by ingestion's validation.</summary>
/// <param name="Index">Position in the batch (for errors that name <c>events[i]</c>).</param>
/// <param name="EventId">Idempotency key.</param>
/// <param name="UserId">User.</param>
/// <param name="Meter">Its meter.</param>
/// <param name="Quantity">Quantity in the meter's unit (1 for count meters without one).</param>
/// <param name="InputTokens">Input tokens (meters priced by model), else 0.</param>
/// <param name="OutputTokens">Output tokens (meters priced by model), else 0.</param>
/// <param name="TimestampTicks">When it happened, UTC ticks.</param>
/// <param name="Period">Billing period <c>YYYY-MM</c> (UTC).</param>
/// <param name="Dimensions">Encoded dimension values (<see cref="DimensionKey"/>; "" when none).</param>
/// <param name="UniqueValue">The counted value of a <c>unique_count</c> meter, else null.</param>
/// <param name="PropertiesJson">Properties as JSON, or null.</param>
internal sealed record CheckedUsageEvent(
    int Index, string EventId, string UserId, Meter Meter, long Quantity, long InputTokens, long OutputTokens, long TimestampTicks, string Period, string Dimensions, string? UniqueValue, string? PropertiesJson);

/// <summary>One rollup row's identity (<see cref="UsageRollup"/>'s key).</summary>
/// <param name="UserId">User.</param>
/// <param name="Period">Month <c>YYYY-MM</c>, or day <c>YYYY-MM-DD</c> (<see cref="UsageDay"/>).</param>
/// <param name="Meter">Meter key.</param>
/// <param name="Dimensions">Encoded dimension values; "" for the meter's total.</param>
internal readonly record struct RollupKey(string UserId, string Period, string Meter, string Dimensions)
{
    /// <summary>The month total that plan limits count (no dimensions, not a day row).</summary>
    public bool IsLimitTotal => Dimensions.Length == 0 && !UsageDay.IsDay(Period);
}

/// <summary>What a batch adds to one rollup row.</summary>
/// <param name="aggregation">The meter's aggregation, which decides how <see cref="Used"/> combines.</param>
internal sealed class RollupDelta(MeterAggregation aggregation)
{
    /// <summary>How <see cref="Used"/> combines with the stored value: added, or the larger kept (<c>max</c>).</summary>
    public MeterAggregation Aggregation { get; } = aggregation;

    /// <summary>Added to the row's used quantity (the batch's largest for <c>max</c> meters).</summary>
    public long Used { get; set; }

    /// <summary>Input tokens added.</summary>
    public long Input { get; set; }

    /// <summary>Output tokens added.</summary>
    public long Output { get; set; }

    /// <summary>Events added.</summary>
    public long Events { get; set; }
}

/// <summary>
/// The rollup rows a batch of newly stored events changes, and by how much. Every event counts in its meter's month total,
/// in its month row per dimension values (when the meter has dimensions) and in its UTC day's total (issue 20's usage
/// summary by day; never a limit's total). A <c>unique_count</c> meter counts a value once per row: its values are kept
/// in <see cref="UniqueValues"/> and count only when the store finds them new (<see cref="CountNewUniqueValue"/>).
/// Instances are pooled (<see cref="Rent"/>, <see cref="Return"/>): a batch of 1,000 events over as many users changes
/// ~2,500 rows, and a dictionary that size is a large-object-heap array (its 2,729 entries of 48 bytes), so a new one per
/// batch made the collector run background gen2 collections for arrays that lived a few milliseconds (issue 22,
/// docs/performance.md, fourteenth session). A cleared dictionary keeps its arrays.
/// <para>
/// The rows are also kept in their table's key order, month rows (<see cref="Rows"/>, <see cref="UsageRollup"/>) apart from
/// day totals (<see cref="DayRows"/>, <see cref="UsageDayTotal"/>), so the store's upserts walk each B-tree from left to right
/// instead of jumping between pages; the sort is done by <see cref="Rent"/>, before the write gate. Duplicates of stored
/// events, found under the gate, are taken back out by <see cref="Forget"/> rather than by counting the batch again (issue
/// 22, docs/performance.md, fifteenth and sixteenth sessions).
/// </para>
/// </summary>
internal sealed class RollupChanges
{
    /// <summary>A returned instance holding more rows than this is dropped rather than kept (batches hold at most 1,000 events).</summary>
    private const int MaxRetainedRows = 16_384;

    private static readonly ObjectPool<RollupChanges> Pool = new DefaultObjectPool<RollupChanges>(new Policy(), Environment.ProcessorCount * 4);

    private RollupChanges()
    {
    }

    /// <summary>Rows to change, with what to add.</summary>
    public Dictionary<RollupKey, RollupDelta> Deltas { get; } = [];

    /// <summary>Values seen by <c>unique_count</c> meters, per row; each counts when it is new to the row.</summary>
    public HashSet<(RollupKey Key, string Value)> UniqueValues { get; } = [];

    /// <summary>
    /// The month rows of <see cref="Deltas"/> (period <c>YYYY-MM</c>) in ordinal key order (user, period, meter, dimensions):
    /// the month rollup table's primary key order. The same <see cref="RollupDelta"/> instances as <see cref="Deltas"/>.
    /// </summary>
    public List<KeyValuePair<RollupKey, RollupDelta>> Rows { get; } = [];

    /// <summary>
    /// The day totals of <see cref="Deltas"/> (period <c>YYYY-MM-DD</c>, <see cref="UsageDay"/>) in the day table's key order
    /// (day, user, meter). The same <see cref="RollupDelta"/> instances as <see cref="Deltas"/>.
    /// </summary>
    public List<KeyValuePair<RollupKey, RollupDelta>> DayRows { get; } = [];

    /// <summary>
    /// The changes of <paramref name="events"/>, each counted once in each row it belongs to, in a pooled instance: hand it
    /// back with <see cref="Return"/> once the batch is done with it.
    /// </summary>
    public static RollupChanges Rent(IEnumerable<CheckedUsageEvent> events)
    {
        var changes = Pool.Get();
        changes.Recount(events);
        return changes;
    }

    /// <summary>Forgets what was counted and counts <paramref name="events"/> instead (the same instance, kept arrays).</summary>
    public void Recount(IEnumerable<CheckedUsageEvent> events)
    {
        Clear();
        foreach (var e in events)
        {
            Add(e);
        }

        foreach (var row in Deltas)
        {
            (UsageDay.IsDay(row.Key.Period) ? DayRows : Rows).Add(row);
        }

        Rows.Sort(static (a, b) => Compare(a.Key, b.Key));
        DayRows.Sort(static (a, b) => CompareDays(a.Key, b.Key));
    }

    /// <summary>
    /// Takes back out the events of <paramref name="counted"/> (what this instance counted) whose ids are not in
    /// <paramref name="inserted"/>: the batch's duplicates of stored events, found under the write gate. The duplicates of
    /// <c>count</c> and <c>sum</c> meters are subtracted, and a row left with no events is dropped, so <see cref="Rows"/> and
    /// <see cref="DayRows"/> keep their order without a new sort; when one of them is a <c>max</c> or <c>unique_count</c>
    /// event, which cannot be subtracted, the kept events are counted again (<see cref="Recount"/>).
    /// </summary>
    public void Forget(IReadOnlyList<CheckedUsageEvent> counted, IReadOnlySet<string> inserted)
    {
        var subtracted = false;
        foreach (var e in counted)
        {
            if (inserted.Contains(e.EventId))
            {
                continue;
            }

            if (e.Meter.Aggregation is MeterAggregation.Max or MeterAggregation.UniqueCount)
            {
                Recount(counted.Where(k => inserted.Contains(k.EventId))); // starts over: what was subtracted so far is cleared
                return;
            }

            Subtract(KeyOfTotal(e), e);
            if (e.Dimensions.Length > 0)
            {
                Subtract(KeyOfDimensions(e), e);
            }

            Subtract(KeyOfDay(e), e);
            subtracted = true;
        }

        if (subtracted)
        {
            Rows.RemoveAll(row => row.Value.Events == 0);
            DayRows.RemoveAll(row => row.Value.Events == 0);
        }
    }

    /// <summary>Gives the instance back to the pool (cleared); it must not be used afterwards.</summary>
    public void Return() => Pool.Return(this);

    /// <summary>Counts <paramref name="e"/> in each row it belongs to.</summary>
    private void Add(CheckedUsageEvent e)
    {
        Add(KeyOfTotal(e), e);
        if (e.Dimensions.Length > 0)
        {
            Add(KeyOfDimensions(e), e);
        }

        Add(KeyOfDay(e), e);
    }

    private static RollupKey KeyOfTotal(CheckedUsageEvent e) => new(e.UserId, e.Period, e.Meter.Key, DimensionKey.Total);

    private static RollupKey KeyOfDimensions(CheckedUsageEvent e) => new(e.UserId, e.Period, e.Meter.Key, e.Dimensions);

    private static RollupKey KeyOfDay(CheckedUsageEvent e) => new(e.UserId, UsageDay.Of(e.TimestampTicks), e.Meter.Key, DimensionKey.Total);

    /// <summary>Ordinal order of the key's parts, as the rollup table's primary key (user, period, meter, dimensions).</summary>
    private static int Compare(RollupKey a, RollupKey b)
    {
        var order = string.CompareOrdinal(a.UserId, b.UserId);
        if (order == 0)
        {
            order = string.CompareOrdinal(a.Period, b.Period);
        }

        if (order == 0)
        {
            order = string.CompareOrdinal(a.Meter, b.Meter);
        }

        return order != 0 ? order : string.CompareOrdinal(a.Dimensions, b.Dimensions);
    }

    /// <summary>Order of two day totals as the day table's primary key (day, user, meter); <c>YYYY-MM-DD</c> sorts as its number.</summary>
    private static int CompareDays(RollupKey a, RollupKey b)
    {
        var order = string.CompareOrdinal(a.Period, b.Period);
        if (order == 0)
        {
            order = string.CompareOrdinal(a.UserId, b.UserId);
        }

        return order != 0 ? order : string.CompareOrdinal(a.Meter, b.Meter);
    }

    /// <summary>Undoes <see cref="Add(RollupKey, CheckedUsageEvent)"/> for a <c>count</c> or <c>sum</c> event; the row goes when no event is left in it.</summary>
    private void Subtract(RollupKey key, CheckedUsageEvent e)
    {
        var delta = Deltas[key];
        delta.Events--;
        delta.Input -= e.InputTokens;
        delta.Output -= e.OutputTokens;
        delta.Used -= e.Meter.Aggregation == MeterAggregation.Count ? 1 : e.Quantity;
        if (delta.Events == 0)
        {
            Deltas.Remove(key);
        }
    }

    /// <summary>A value of <see cref="UniqueValues"/> the store did not have: it counts once in its row.</summary>
    public void CountNewUniqueValue(RollupKey key) => Deltas[key].Used++;

    private void Add(RollupKey key, CheckedUsageEvent e)
    {
        if (!Deltas.TryGetValue(key, out var delta))
        {
            delta = new RollupDelta(e.Meter.Aggregation);
            Deltas[key] = delta;
        }

        delta.Events++;
        delta.Input += e.InputTokens;
        delta.Output += e.OutputTokens;
        switch (e.Meter.Aggregation)
        {
            case MeterAggregation.Count:
                delta.Used++;
                break;
            case MeterAggregation.Sum:
                delta.Used += e.Quantity;
                break;
            case MeterAggregation.Max:
                delta.Used = Math.Max(delta.Used, e.Quantity);
                break;
            case MeterAggregation.UniqueCount:
                UniqueValues.Add((key, e.UniqueValue!));
                break;
        }
    }

    private void Clear()
    {
        Deltas.Clear();
        UniqueValues.Clear();
        Rows.Clear();
        DayRows.Clear();
    }

    private sealed class Policy : IPooledObjectPolicy<RollupChanges>
    {
        public RollupChanges Create() => new();

        public bool Return(RollupChanges changes)
        {
            if (changes.Deltas.Count > MaxRetainedRows)
            {
                return false;
            }

            changes.Clear();
            return true;
        }
    }
}
