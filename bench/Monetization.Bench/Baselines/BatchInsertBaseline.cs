using System.Globalization;
using Microsoft.Data.Sqlite;
using Monetization.Bench.Payloads;

namespace Monetization.Bench.Baselines;

/// <summary>
/// The usage-ingestion baseline (Usage issue): the same rows inserted with Microsoft.Data.Sqlite directly — one prepared
/// <c>INSERT … ON CONFLICT (event_id) DO NOTHING</c>, one transaction per batch of 1,000 rows (duplicates included, so
/// the unique index rejects them), WAL, synchronous=NORMAL, one writer (SQLite serializes writers anyway).
/// No HTTP, no JSON, no rollups: the floor for "store a batch of usage events exactly once".
/// </summary>
internal sealed class BatchInsertBaseline : IAsyncDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS usage_events (
            id INTEGER PRIMARY KEY,
            event_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            meter TEXT NOT NULL,
            quantity INTEGER NOT NULL,
            timestamp INTEGER NOT NULL,
            properties TEXT NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS ix_usage_events_event_id ON usage_events (event_id);
        """;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insert;

    private BatchInsertBaseline(SqliteConnection connection)
    {
        _connection = connection;
        _insert = connection.CreateCommand();
        _insert.CommandText = "INSERT INTO usage_events (event_id, user_id, meter, quantity, timestamp, properties) VALUES ($e, $u, $m, $q, $t, $p) ON CONFLICT (event_id) DO NOTHING";
        foreach (var name in new[] { "$e", "$u", "$m", "$q", "$t", "$p" })
        {
            _insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        _insert.Prepare();
    }

    public static async Task<BatchInsertBaseline> OpenAsync(string directory, CancellationToken ct)
    {
        var connectionString = Sqlite.ConnectionString(Path.Combine(directory, "baseline-usage.db"));
        await Sqlite.CreateAsync(connectionString, Schema, ct);
        return new BatchInsertBaseline(await Sqlite.OpenAsync(connectionString, ct));
    }

    /// <summary>Inserts one batch in one transaction; returns the rows actually inserted.</summary>
    public long InsertBatch(UsageWorkload workload, IReadOnlyList<long> indices)
    {
        using var transaction = _connection.BeginTransaction();
        _insert.Transaction = transaction;
        long inserted = 0;
        foreach (var i in indices)
        {
            var e = workload[i];
            _insert.Parameters[0].Value = e.EventId;
            _insert.Parameters[1].Value = e.UserId;
            _insert.Parameters[2].Value = e.Meter;
            _insert.Parameters[3].Value = e.Quantity;
            _insert.Parameters[4].Value = e.Timestamp.UtcTicks;
            _insert.Parameters[5].Value = e.Model is null ? "{\"endpoint\":\"/v1/chat/completions\"}" : string.Create(CultureInfo.InvariantCulture, $"{{\"model\":\"{e.Model}\"}}");
            inserted += _insert.ExecuteNonQuery();
        }

        transaction.Commit();
        return inserted;
    }

    public async ValueTask DisposeAsync()
    {
        await _insert.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
