using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Data;

/// <summary>
/// Stores batches of usage events and their rollups for ingestion (<c>POST /v1/usage/events</c>). A batch is written by
/// one <see cref="UsageEventBatch"/>: it holds the Usage database's in-process write gate and one transaction, and writes
/// with prepared single-row statements bound by position (docs/modules/usage.md, "Ingestion hot path"), which cost less
/// per row than EF Core's change tracking or a multi-row statement built per batch. On PostgreSQL each step is one
/// statement over the whole batch, the rows sent as arrays (<c>unnest</c>), and the batch's transaction holds the Usage schema's writer lock
/// (<see cref="WriteTransaction"/>), so rollups stay exact when batches arrive at several Hosts at once (issue 17).
/// </summary>
internal sealed class UsageEventStore(UsageDbContext db)
{
    /// <summary>
    /// Begins the batch's <see cref="WriteTransaction"/> (ingestion, the outbox dispatcher and consumers queue for the
    /// Usage database's writer in process instead of in SQLite's sleeping busy handler). Dispose the batch to roll back
    /// what was not committed and leave the gate.
    /// </summary>
    public async Task<UsageEventBatch> BeginBatchAsync(CancellationToken ct)
    {
        var transaction = await db.BeginWriteTransactionAsync(ct);
        return new UsageEventBatch(db, transaction);
    }
}

/// <summary>
/// One batch's writes, in one transaction under the write gate (<see cref="UsageEventStore.BeginBatchAsync"/>). EF Core
/// work on the same <see cref="UsageDbContext"/> (alerts, integration events) joins the transaction.
/// </summary>
internal sealed class UsageEventBatch : IAsyncDisposable
{
    private const string InvoicedPeriodSql = "SELECT 1 FROM UsageInvoiceRuns WHERE Period = ?1";

    private const string InsertEventSql =
        "INSERT INTO UsageEvents (EventId, UserId, Meter, Quantity, Timestamp, Period, Properties, ReceivedAt) "
        + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(EventId) DO NOTHING";

    private const string InsertUniqueSql =
        "INSERT INTO UsageUniqueValues (UserId, Period, Meter, Dimensions, Value) VALUES (?1, ?2, ?3, ?4, ?5) "
        + "ON CONFLICT(UserId, Period, Meter, Dimensions, Value) DO NOTHING";

    private const string UpsertRollupSql =
        "INSERT INTO UsageRollups (UserId, Period, Meter, Dimensions, Used, InputTokens, OutputTokens, Events, UpdatedAt) "
        + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
        + "ON CONFLICT(UserId, Period, Meter, Dimensions) DO UPDATE SET Used = {0}, InputTokens = InputTokens + excluded.InputTokens, "
        + "OutputTokens = OutputTokens + excluded.OutputTokens, Events = Events + excluded.Events, UpdatedAt = excluded.UpdatedAt{1}";

    /// <summary>{0}: the new <c>Used</c> (sum or max).</summary>
    private const string UpsertDayTotalSql =
        "INSERT INTO UsageDayTotals (Day, UserId, Meter, Used, InputTokens, OutputTokens, Events) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
        + "ON CONFLICT(Day, UserId, Meter) DO UPDATE SET Used = {0}, InputTokens = InputTokens + excluded.InputTokens, "
        + "OutputTokens = OutputTokens + excluded.OutputTokens, Events = Events + excluded.Events";

    private const string InsertAlertSql =
        "INSERT INTO ThresholdAlerts (UserId, Period, Meter, Threshold, Used, \"Limit\", CrossedAt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
        + "ON CONFLICT(UserId, Period, Meter, Threshold) DO NOTHING";

    private const string PostgresInsertAlertSql =
        "INSERT INTO \"ThresholdAlerts\" (\"UserId\", \"Period\", \"Meter\", \"Threshold\", \"Used\", \"Limit\", \"CrossedAt\") VALUES ($1, $2, $3, $4, $5, $6, $7) "
        + "ON CONFLICT (\"UserId\", \"Period\", \"Meter\", \"Threshold\") DO NOTHING";

    private const string PostgresInvoicedPeriodsSql = "SELECT \"Period\" FROM \"UsageInvoiceRuns\" WHERE \"Period\" = ANY($1)";

    // PostgreSQL: each step is one statement over the whole batch, its rows sent as arrays (unnest), instead of a statement per row.
    private const string PostgresInsertEventsSql =
        "INSERT INTO \"UsageEvents\" (\"EventId\", \"UserId\", \"Meter\", \"Quantity\", \"Timestamp\", \"Period\", \"Properties\", \"ReceivedAt\") "
        + "SELECT e.id, e.usr, e.meter, e.quantity, e.ts, e.period, e.props, $8 "
        + "FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[], $6::text[], $7::text[]) AS e(id, usr, meter, quantity, ts, period, props) "
        + "ON CONFLICT (\"EventId\") DO NOTHING RETURNING \"EventId\"";

    private const string PostgresInsertUniqueValuesSql =
        "INSERT INTO \"UsageUniqueValues\" (\"UserId\", \"Period\", \"Meter\", \"Dimensions\", \"Value\") "
        + "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) "
        + "ON CONFLICT (\"UserId\", \"Period\", \"Meter\", \"Dimensions\", \"Value\") DO NOTHING "
        + "RETURNING \"UserId\", \"Period\", \"Meter\", \"Dimensions\"";

    /// <summary>{0}: the new <c>Used</c> (sum or max). One statement per aggregation kind, each row's key once (the deltas are per key).</summary>
    private const string PostgresUpsertRollupsSql =
        "INSERT INTO \"UsageRollups\" AS r (\"UserId\", \"Period\", \"Meter\", \"Dimensions\", \"Used\", \"InputTokens\", \"OutputTokens\", \"Events\", \"UpdatedAt\") "
        + "SELECT x.u, x.p, x.m, x.d, x.used, x.i, x.o, x.ev, $9 "
        + "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[]) AS x(u, p, m, d, used, i, o, ev) "
        + "ON CONFLICT (\"UserId\", \"Period\", \"Meter\", \"Dimensions\") DO UPDATE SET \"Used\" = {0}, "
        + "\"InputTokens\" = r.\"InputTokens\" + excluded.\"InputTokens\", \"OutputTokens\" = r.\"OutputTokens\" + excluded.\"OutputTokens\", "
        + "\"Events\" = r.\"Events\" + excluded.\"Events\", \"UpdatedAt\" = excluded.\"UpdatedAt\" "
        + "RETURNING \"UserId\", \"Period\", \"Meter\", \"Dimensions\", \"Used\"";

    /// <summary>{0}: the new <c>Used</c> (sum or max). One statement per aggregation kind, each row's key once.</summary>
    private const string PostgresUpsertDayTotalsSql =
        "INSERT INTO \"UsageDayTotals\" AS t (\"Day\", \"UserId\", \"Meter\", \"Used\", \"InputTokens\", \"OutputTokens\", \"Events\") "
        + "SELECT * FROM unnest($1::integer[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[]) "
        + "ON CONFLICT (\"Day\", \"UserId\", \"Meter\") DO UPDATE SET \"Used\" = {0}, "
        + "\"InputTokens\" = t.\"InputTokens\" + excluded.\"InputTokens\", \"OutputTokens\" = t.\"OutputTokens\" + excluded.\"OutputTokens\", "
        + "\"Events\" = t.\"Events\" + excluded.\"Events\"";

    private readonly UsageDbContext _db;
    private readonly DbConnection _connection;
    private readonly WriteTransaction _transaction;
    private readonly bool _postgres;

    internal UsageEventBatch(UsageDbContext db, WriteTransaction transaction)
    {
        _db = db;
        _connection = db.Database.GetDbConnection();
        _transaction = transaction;
        _postgres = db.IsPostgres();
    }

    /// <summary>Of <paramref name="periods"/> (<c>YYYY-MM</c>), those whose usage invoice run has started (a <c>UsageInvoiceRuns</c> row).</summary>
    public async Task<HashSet<string>> InvoicedPeriodsAsync(IEnumerable<string> periods, CancellationToken ct)
    {
        var invoiced = new HashSet<string>(StringComparer.Ordinal);
        if (_postgres)
        {
            await using var command = PostgresBatch.Command(_db, PostgresInvoicedPeriodsSql, (object)periods.Distinct(StringComparer.Ordinal).ToArray());
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                invoiced.Add(reader.GetString(0));
            }

            return invoiced;
        }

        var asked = new HashSet<string>(StringComparer.Ordinal);
        using var statement = SqliteStatement.Prepare(_connection, InvoicedPeriodSql);
        foreach (var period in periods)
        {
            if (asked.Add(period))
            {
                statement.Bind(1, period);
                if (statement.ExecuteScalarInt64() is not null)
                {
                    invoiced.Add(period);
                }
            }
        }

        return invoiced;
    }

    /// <summary>Inserts the events not stored yet (unique by <c>event_id</c>); returns the ids inserted (the others are stored duplicates).</summary>
    /// <param name="events">Events with distinct ids.</param>
    /// <param name="receivedAt">Stored as each row's <c>ReceivedAt</c> (UTC).</param>
    /// <param name="ct">Cancels between rows.</param>
    public async Task<HashSet<string>> InsertNewEventsAsync(IReadOnlyList<CheckedUsageEvent> events, DateTimeOffset receivedAt, CancellationToken ct)
    {
        var inserted = new HashSet<string>(events.Count, StringComparer.Ordinal);
        if (_postgres)
        {
            await using var command = PostgresBatch.Command(
                _db,
                PostgresInsertEventsSql,
                events.Select(e => e.EventId).ToArray(),
                events.Select(e => e.UserId).ToArray(),
                events.Select(e => e.Meter.Key).ToArray(),
                events.Select(e => e.Quantity).ToArray(),
                events.Select(e => new DateTimeOffset(e.TimestampTicks, TimeSpan.Zero)).ToArray(),
                events.Select(e => e.Period).ToArray(),
                events.Select(e => e.PropertiesJson).ToArray(),
                receivedAt.ToUniversalTime());
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                inserted.Add(reader.GetString(0));
            }

            return inserted;
        }

        using var statement = SqliteStatement.Prepare(_connection, InsertEventSql);
        statement.Bind(8, receivedAt.UtcTicks);
        foreach (var e in events)
        {
            ct.ThrowIfCancellationRequested();
            statement.Bind(1, e.EventId);
            statement.Bind(2, e.UserId);
            statement.Bind(3, e.Meter.Key);
            statement.Bind(4, e.Quantity);
            statement.Bind(5, e.TimestampTicks);
            statement.Bind(6, e.Period);
            statement.Bind(7, e.PropertiesJson);
            if (statement.Execute() == 1)
            {
                inserted.Add(e.EventId);
            }
        }

        return inserted;
    }

    /// <summary>Stores the changes' <c>unique_count</c> values; each one the row did not have yet counts once (<see cref="RollupChanges.CountNewUniqueValue"/>).</summary>
    public async Task StoreUniqueValuesAsync(RollupChanges changes, CancellationToken ct)
    {
        if (changes.UniqueValues.Count == 0)
        {
            return;
        }

        if (_postgres)
        {
            var values = changes.UniqueValues.ToList();
            await using var command = PostgresBatch.Command(
                _db,
                PostgresInsertUniqueValuesSql,
                values.Select(v => v.Key.UserId).ToArray(),
                values.Select(v => v.Key.Period).ToArray(),
                values.Select(v => v.Key.Meter).ToArray(),
                values.Select(v => v.Key.Dimensions).ToArray(),
                values.Select(v => v.Value).ToArray());
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                changes.CountNewUniqueValue(new RollupKey(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            }

            return;
        }

        using var statement = SqliteStatement.Prepare(_connection, InsertUniqueSql);
        foreach (var (key, value) in changes.UniqueValues)
        {
            ct.ThrowIfCancellationRequested();
            statement.Bind(1, key.UserId);
            statement.Bind(2, key.Period);
            statement.Bind(3, key.Meter);
            statement.Bind(4, key.Dimensions);
            statement.Bind(5, value);
            if (statement.Execute() == 1)
            {
                changes.CountNewUniqueValue(key);
            }
        }
    }

    /// <summary>
    /// Adds the deltas to their rows, month rollups (<see cref="RollupChanges.Rows"/>) and day totals
    /// (<see cref="RollupChanges.DayRows"/>), each created when missing (<c>max</c> meters keep the larger value). Returns the
    /// new used quantity of every row that is a limit's total (<see cref="RollupKey.IsLimitTotal"/>), for the threshold check.
    /// </summary>
    public async Task<List<(RollupKey Key, long Used)>> AddToRollupsAsync(RollupChanges changes, DateTimeOffset now, CancellationToken ct)
    {
        var totals = new List<(RollupKey, long)>();
        if (_postgres)
        {
            await AddToDayTotalsOnPostgresAsync(changes, ct);
            foreach (var isMax in new[] { false, true })
            {
                var deltas = changes.Rows.Where(d => (d.Value.Aggregation == MeterAggregation.Max) == isMax).ToList();
                if (deltas.Count == 0)
                {
                    continue;
                }

                await using var command = PostgresBatch.Command(
                    _db,
                    string.Format(CultureInfo.InvariantCulture, PostgresUpsertRollupsSql, isMax ? "GREATEST(r.\"Used\", excluded.\"Used\")" : "r.\"Used\" + excluded.\"Used\""),
                    deltas.Select(d => d.Key.UserId).ToArray(),
                    deltas.Select(d => d.Key.Period).ToArray(),
                    deltas.Select(d => d.Key.Meter).ToArray(),
                    deltas.Select(d => d.Key.Dimensions).ToArray(),
                    deltas.Select(d => d.Value.Used).ToArray(),
                    deltas.Select(d => d.Value.Input).ToArray(),
                    deltas.Select(d => d.Value.Output).ToArray(),
                    deltas.Select(d => d.Value.Events).ToArray(),
                    now.ToUniversalTime());
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var key = new RollupKey(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
                    if (key.IsLimitTotal)
                    {
                        totals.Add((key, reader.GetInt64(4)));
                    }
                }
            }

            return totals;
        }

        AddToDayTotals(changes, ct);

        // [max?, total?]: totals return the new value (RETURNING); the other rows do not.
        var statements = new SqliteStatement?[2, 2];
        try
        {
            foreach (var (key, delta) in changes.Rows)
            {
                ct.ThrowIfCancellationRequested();
                var isMax = delta.Aggregation == MeterAggregation.Max ? 1 : 0;
                var isTotal = key.IsLimitTotal ? 1 : 0;
                var statement = statements[isMax, isTotal] ??= SqliteStatement.Prepare(
                    _connection,
                    string.Format(CultureInfo.InvariantCulture, UpsertRollupSql, isMax == 1 ? "MAX(Used, excluded.Used)" : "Used + excluded.Used", isTotal == 1 ? " RETURNING Used" : ""));
                statement.Bind(1, key.UserId);
                statement.Bind(2, key.Period);
                statement.Bind(3, key.Meter);
                statement.Bind(4, key.Dimensions);
                statement.Bind(5, delta.Used);
                statement.Bind(6, delta.Input);
                statement.Bind(7, delta.Output);
                statement.Bind(8, delta.Events);
                statement.Bind(9, now.UtcTicks);
                if (isTotal == 1)
                {
                    totals.Add((key, statement.ExecuteScalarInt64() ?? throw new InvalidOperationException("The rollup upsert returned no row.")));
                }
                else
                {
                    statement.Execute();
                }
            }
        }
        finally
        {
            foreach (var statement in statements)
            {
                statement?.Dispose();
            }
        }

        return totals;
    }

    /// <summary>Upserts the day totals on SQLite, in the day table's key order, one prepared statement per aggregation kind.</summary>
    private void AddToDayTotals(RollupChanges changes, CancellationToken ct)
    {
        SqliteStatement? sum = null, max = null;
        try
        {
            foreach (var (key, delta) in changes.DayRows)
            {
                ct.ThrowIfCancellationRequested();
                var statement = delta.Aggregation == MeterAggregation.Max
                    ? max ??= SqliteStatement.Prepare(_connection, string.Format(CultureInfo.InvariantCulture, UpsertDayTotalSql, "MAX(Used, excluded.Used)"))
                    : sum ??= SqliteStatement.Prepare(_connection, string.Format(CultureInfo.InvariantCulture, UpsertDayTotalSql, "Used + excluded.Used"));
                statement.Bind(1, UsageDay.Number(key.Period));
                statement.Bind(2, key.UserId);
                statement.Bind(3, key.Meter);
                statement.Bind(4, delta.Used);
                statement.Bind(5, delta.Input);
                statement.Bind(6, delta.Output);
                statement.Bind(7, delta.Events);
                statement.Execute();
            }
        }
        finally
        {
            sum?.Dispose();
            max?.Dispose();
        }
    }

    /// <summary>Upserts the day totals on PostgreSQL: one statement per aggregation kind over the batch's rows.</summary>
    private async Task AddToDayTotalsOnPostgresAsync(RollupChanges changes, CancellationToken ct)
    {
        foreach (var isMax in new[] { false, true })
        {
            var rows = changes.DayRows.Where(d => (d.Value.Aggregation == MeterAggregation.Max) == isMax).ToList();
            if (rows.Count == 0)
            {
                continue;
            }

            await using var command = PostgresBatch.Command(
                _db,
                string.Format(CultureInfo.InvariantCulture, PostgresUpsertDayTotalsSql, isMax ? "GREATEST(t.\"Used\", excluded.\"Used\")" : "t.\"Used\" + excluded.\"Used\""),
                rows.Select(d => UsageDay.Number(d.Key.Period)).ToArray(),
                rows.Select(d => d.Key.UserId).ToArray(),
                rows.Select(d => d.Key.Meter).ToArray(),
                rows.Select(d => d.Value.Used).ToArray(),
                rows.Select(d => d.Value.Input).ToArray(),
                rows.Select(d => d.Value.Output).ToArray(),
                rows.Select(d => d.Value.Events).ToArray());
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// Inserts the threshold alerts not stored yet (primary key: user, period, meter, threshold; an alert already stored,
    /// resolved or not, is left as it is); returns, per alert, whether it was inserted. One prepared statement per alert on SQLite,
    /// one batch on PostgreSQL, in place of reading the users' alerts back first: the table's key decides.
    /// </summary>
    public async Task<bool[]> InsertNewAlertsAsync(IReadOnlyList<ThresholdAlert> alerts, CancellationToken ct)
    {
        var inserted = new bool[alerts.Count];
        if (_postgres)
        {
            var rows = alerts.Select(a => new object?[] { a.UserId, a.Period, a.Meter, a.Threshold, a.Used, a.Limit, a.CrossedAt.ToUniversalTime() }).ToList();
            var affected = await PostgresBatch.ExecuteAsync(_db, PostgresInsertAlertSql, rows, ct);
            for (var i = 0; i < alerts.Count; i++)
            {
                inserted[i] = affected[i] == 1;
            }

            return inserted;
        }

        using var statement = SqliteStatement.Prepare(_connection, InsertAlertSql);
        for (var i = 0; i < alerts.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var alert = alerts[i];
            statement.Bind(1, alert.UserId);
            statement.Bind(2, alert.Period);
            statement.Bind(3, alert.Meter);
            statement.Bind(4, alert.Threshold);
            statement.Bind(5, alert.Used);
            statement.Bind(6, alert.Limit);
            statement.Bind(7, alert.CrossedAt.UtcTicks);
            inserted[i] = statement.Execute() == 1;
        }

        return inserted;
    }

    /// <summary>Commits the batch (events, rollups and whatever EF Core saved in the transaction).</summary>
    public Task CommitAsync(CancellationToken ct) => _transaction.CommitAsync(ct);

    /// <summary>Rolls back what was not committed and leaves the write gate.</summary>
    public ValueTask DisposeAsync() => _transaction.DisposeAsync();
}
