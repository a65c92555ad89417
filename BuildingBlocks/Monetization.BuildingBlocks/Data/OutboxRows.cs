using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Monetization.BuildingBlocks.Data;

/// <summary>What an outbox round needs of a claimed row.</summary>
/// <param name="Sequence">Row id.</param>
/// <param name="EventId">The event's id.</param>
/// <param name="Type">Event wire name.</param>
/// <param name="Payload">The event, JSON.</param>
/// <param name="Attempts">Attempts made before this one.</param>
/// <param name="TraceParent">W3C traceparent of the trace that raised it, if any.</param>
internal sealed record OutboxClaimedRow(long Sequence, Guid EventId, string Type, string Payload, int Attempts, string? TraceParent);

/// <summary>
/// The outbox dispatcher's three statements on a module's <c>OutboxMessages</c> table, per provider: whether anything is due,
/// claim due rows with a lease, mark rows delivered. A row is due when it is not delivered, not dead, its backoff is over and
/// no live lease holds it; a dispatcher that dies mid-round leaves its rows to the next claim once the lease runs out.
/// </summary>
internal abstract class OutboxRows
{
    /// <summary>The statements for the provider of <paramref name="db"/>.</summary>
    public static OutboxRows For(DbContext db) => db.IsPostgres() ? Postgres.Instance : Sqlite.Instance;

    /// <summary>Whether the claim needs the in-process SQLite write gate (PostgreSQL's row locks make claims exclusive).</summary>
    public abstract bool NeedsWriteGate { get; }

    /// <summary>The SQL of the "anything due" probe, as <see cref="AnyDueAsync"/> runs it (the tests read its query plan).</summary>
    public abstract string AnyDueStatement { get; }

    /// <summary>The SQL of the claim, as <see cref="ClaimDueAsync"/> runs it (the tests read its query plan).</summary>
    public abstract string ClaimStatement { get; }

    /// <summary>
    /// Whether any row is due at <paramref name="now"/> (UTC). Each of the three opens the context's connection for its
    /// statement and closes it after (EF Core keeps it open inside a transaction), so the dispatcher holds no connection
    /// while it publishes, and its claims and marks under the write gate use the database's writer connection
    /// (<see cref="SqliteWriterConnection"/>).
    /// </summary>
    public ValueTask<bool> AnyDueAsync(DbContext db, DateTimeOffset now, CancellationToken ct) =>
        OnOpenConnectionAsync(db, () => AnyDueOnOpenAsync(db, now, ct), ct);

    /// <summary>
    /// Leases up to <paramref name="limit"/> due rows to <paramref name="claim"/> until <paramref name="leaseUntil"/> (UTC) and
    /// returns them in sequence order, in one statement, so two dispatchers (two Hosts) never claim the same row.
    /// </summary>
    public ValueTask<List<OutboxClaimedRow>> ClaimDueAsync(DbContext db, string claim, DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken ct) =>
        OnOpenConnectionAsync(db, () => ClaimDueOnOpenAsync(db, claim, now, leaseUntil, limit, ct), ct);

    /// <summary>Marks <paramref name="sequences"/> delivered at <paramref name="at"/> (UTC), clearing their lease and error.</summary>
    public async ValueTask MarkDeliveredAsync(DbContext db, IReadOnlyCollection<long> sequences, DateTimeOffset at, CancellationToken ct)
    {
        await OnOpenConnectionAsync(db, async () =>
        {
            await MarkDeliveredOnOpenAsync(db, sequences, at, ct);
            return true;
        }, ct);
    }

    /// <summary>Runs <paramref name="statement"/> with the context's connection open, and closes it after.</summary>
    private static async ValueTask<T> OnOpenConnectionAsync<T>(DbContext db, Func<ValueTask<T>> statement, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            return await statement();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary><see cref="AnyDueAsync"/> on the open connection.</summary>
    protected abstract ValueTask<bool> AnyDueOnOpenAsync(DbContext db, DateTimeOffset now, CancellationToken ct);

    /// <summary><see cref="ClaimDueAsync"/> on the open connection.</summary>
    protected abstract ValueTask<List<OutboxClaimedRow>> ClaimDueOnOpenAsync(DbContext db, string claim, DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken ct);

    /// <summary><see cref="MarkDeliveredAsync"/> on the open connection.</summary>
    protected abstract ValueTask MarkDeliveredOnOpenAsync(DbContext db, IReadOnlyCollection<long> sequences, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// SQLite: prepared statements on the open connection, times as UTC ticks; the caller holds the write gate for the claim
    /// and the marks. A round runs after every commit of a busy module, and EF Core generated and SQLite compiled the SQL of
    /// each query anew when its list of sequences changed length, so the sequences go as one JSON array (<c>json_each</c>).
    /// </summary>
    private sealed class Sqlite : OutboxRows
    {
        public static readonly Sqlite Instance = new();

        private const string DueCondition =
            "DispatchedAt IS NULL AND DeadLetteredAt IS NULL AND NextAttemptAt <= ?3 AND (LockedUntil IS NULL OR LockedUntil < ?3)";

        private const string AnyDueSql = "SELECT 1 FROM OutboxMessages WHERE " + DueCondition + " ORDER BY Sequence LIMIT 1";

        private const string ClaimSql =
            "UPDATE OutboxMessages SET LockedUntil = ?1, LockedBy = ?2 WHERE Sequence IN ("
            + "SELECT Sequence FROM OutboxMessages WHERE " + DueCondition + " ORDER BY Sequence LIMIT ?4) "
            + "RETURNING Sequence, EventId, Type, Payload, Attempts, TraceParent";

        private const string MarkDeliveredSql =
            "UPDATE OutboxMessages SET DispatchedAt = ?1, Attempts = Attempts + 1, LastError = NULL, LockedUntil = NULL "
            + "WHERE Sequence IN (SELECT value FROM json_each(?2))";

        public override bool NeedsWriteGate => true;

        public override string AnyDueStatement => AnyDueSql;

        public override string ClaimStatement => ClaimSql;

        protected override ValueTask<bool> AnyDueOnOpenAsync(DbContext db, DateTimeOffset now, CancellationToken ct)
        {
            using var statement = SqliteStatement.Prepare(db.Database.GetDbConnection(), AnyDueSql);
            statement.Bind(3, now.UtcTicks);
            var any = statement.Read();
            statement.Reset();
            return ValueTask.FromResult(any);
        }

        protected override ValueTask<List<OutboxClaimedRow>> ClaimDueOnOpenAsync(DbContext db, string claim, DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken ct)
        {
            using var statement = SqliteStatement.Prepare(db.Database.GetDbConnection(), ClaimSql);
            statement.Bind(1, leaseUntil.UtcTicks);
            statement.Bind(2, claim);
            statement.Bind(3, now.UtcTicks);
            statement.Bind(4, limit);
            var rows = new List<OutboxClaimedRow>();
            while (statement.Read())
            {
                rows.Add(new OutboxClaimedRow(
                    statement.GetInt64(0),
                    Guid.Parse(statement.GetString(1) ?? ""),
                    statement.GetString(2) ?? "",
                    statement.GetString(3) ?? "",
                    (int)statement.GetInt64(4),
                    statement.GetString(5)));
            }

            rows.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
            return ValueTask.FromResult(rows);
        }

        protected override ValueTask MarkDeliveredOnOpenAsync(DbContext db, IReadOnlyCollection<long> sequences, DateTimeOffset at, CancellationToken ct)
        {
            using var statement = SqliteStatement.Prepare(db.Database.GetDbConnection(), MarkDeliveredSql);
            statement.Bind(1, at.UtcTicks);
            statement.Bind(2, JsonSerializer.Serialize(sequences));
            statement.Execute();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// PostgreSQL: the claim picks due rows <c>FOR UPDATE SKIP LOCKED</c>, so dispatchers of several Hosts claiming at the
    /// same moment take disjoint rows without waiting on each other; sequences go as one <c>bigint[]</c>.
    /// </summary>
    private sealed class Postgres : OutboxRows
    {
        public static readonly Postgres Instance = new();

        private const string DueCondition =
            "\"DispatchedAt\" IS NULL AND \"DeadLetteredAt\" IS NULL AND \"NextAttemptAt\" <= $1 AND (\"LockedUntil\" IS NULL OR \"LockedUntil\" < $1)";

        // In sequence order, like the claim: PostgreSQL otherwise plans a sequential scan, which meets every delivered row
        // before the first open one (ADR 0083).
        private const string AnyDueSql = "SELECT 1 FROM \"OutboxMessages\" WHERE " + DueCondition + " ORDER BY \"Sequence\" LIMIT 1";

        private const string ClaimSql =
            "UPDATE \"OutboxMessages\" SET \"LockedUntil\" = $2, \"LockedBy\" = $3 WHERE \"Sequence\" IN ("
            + "SELECT \"Sequence\" FROM \"OutboxMessages\" WHERE " + DueCondition + " ORDER BY \"Sequence\" LIMIT $4 FOR UPDATE SKIP LOCKED) "
            + "RETURNING \"Sequence\", \"EventId\", \"Type\", \"Payload\", \"Attempts\", \"TraceParent\"";

        private const string MarkDeliveredSql =
            "UPDATE \"OutboxMessages\" SET \"DispatchedAt\" = $1, \"Attempts\" = \"Attempts\" + 1, \"LastError\" = NULL, \"LockedUntil\" = NULL "
            + "WHERE \"Sequence\" = ANY($2)";

        public override bool NeedsWriteGate => false;

        public override string AnyDueStatement => AnyDueSql;

        public override string ClaimStatement => ClaimSql;

        protected override async ValueTask<bool> AnyDueOnOpenAsync(DbContext db, DateTimeOffset now, CancellationToken ct)
        {
            await using var command = PostgresBatch.Command(db, AnyDueSql, now);
            return await command.ExecuteScalarAsync(ct) is not null;
        }

        protected override async ValueTask<List<OutboxClaimedRow>> ClaimDueOnOpenAsync(DbContext db, string claim, DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken ct)
        {
            await using var command = PostgresBatch.Command(db, ClaimSql, now, leaseUntil, claim, limit);
            var rows = new List<OutboxClaimedRow>();
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    rows.Add(new OutboxClaimedRow(
                        reader.GetInt64(0),
                        reader.GetGuid(1),
                        reader.GetString(2),
                        reader.GetString(3),
                        reader.GetInt32(4),
                        reader.IsDBNull(5) ? null : reader.GetString(5)));
                }
            }

            rows.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
            return rows;
        }

        protected override async ValueTask MarkDeliveredOnOpenAsync(DbContext db, IReadOnlyCollection<long> sequences, DateTimeOffset at, CancellationToken ct)
        {
            await using var command = PostgresBatch.Command(db, MarkDeliveredSql, at, sequences.ToArray());
            await command.ExecuteNonQueryAsync(ct);
        }
    }
}
