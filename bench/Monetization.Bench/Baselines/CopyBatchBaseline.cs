using System.Globalization;
using Monetization.Bench.Payloads;
using Npgsql;
using NpgsqlTypes;

namespace Monetization.Bench.Baselines;

/// <summary>
/// The usage-ingestion baseline on PostgreSQL (issue 17): per batch, one transaction that binary-<c>COPY</c>s the rows into
/// a temporary staging table and moves them with one <c>INSERT … SELECT … ON CONFLICT (event_id) DO NOTHING</c> (duplicates
/// included, so the unique index rejects them). Concurrent batches on pooled connections, as the Hosts' clients send them.
/// No HTTP, no JSON, no rollups: PostgreSQL's floor for "store a batch of usage events exactly once".
/// </summary>
internal sealed class CopyBatchBaseline : IAsyncDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS usage_events (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            event_id text NOT NULL,
            user_id text NOT NULL,
            meter text NOT NULL,
            quantity bigint NOT NULL,
            "timestamp" timestamptz NOT NULL,
            properties text NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS ix_usage_events_event_id ON usage_events (event_id);
        """;

    private readonly NpgsqlDataSource _source;

    private CopyBatchBaseline(NpgsqlDataSource source) => _source = source;

    public static async Task<CopyBatchBaseline> OpenAsync(string connectionString, CancellationToken ct)
    {
        var source = NpgsqlDataSource.Create(connectionString);
        await using var create = source.CreateCommand(Schema);
        await create.ExecuteNonQueryAsync(ct);
        return new CopyBatchBaseline(source);
    }

    /// <summary>Stores one batch in one transaction; returns the rows actually inserted.</summary>
    public async Task<long> InsertBatchAsync(UsageWorkload workload, IReadOnlyList<long> indices, CancellationToken ct)
    {
        await using var connection = await _source.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var staging = new NpgsqlCommand("CREATE TEMP TABLE IF NOT EXISTS usage_staging (event_id text, user_id text, meter text, quantity bigint, \"timestamp\" timestamptz, properties text) ON COMMIT DELETE ROWS", connection, transaction))
        {
            await staging.ExecuteNonQueryAsync(ct);
        }

        await using (var copy = await connection.BeginBinaryImportAsync("COPY usage_staging (event_id, user_id, meter, quantity, \"timestamp\", properties) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var i in indices)
            {
                var e = workload[i];
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(e.EventId, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(e.UserId, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(e.Meter, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(e.Quantity, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(e.Timestamp.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(e.Model is null ? "{\"endpoint\":\"/v1/chat/completions\"}" : string.Create(CultureInfo.InvariantCulture, $"{{\"model\":\"{e.Model}\"}}"), NpgsqlDbType.Text, ct);
            }

            await copy.CompleteAsync(ct);
        }

        long inserted;
        await using (var move = new NpgsqlCommand("INSERT INTO usage_events (event_id, user_id, meter, quantity, \"timestamp\", properties) SELECT event_id, user_id, meter, quantity, \"timestamp\", properties FROM usage_staging ON CONFLICT (event_id) DO NOTHING", connection, transaction))
        {
            inserted = await move.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        return inserted;
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
