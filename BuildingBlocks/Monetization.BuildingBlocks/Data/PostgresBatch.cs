using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Monetization.BuildingBlocks.Data;

/// <summary>
/// Runs one statement for many rows on PostgreSQL in a single round trip (an <see cref="NpgsqlBatch"/> of the same SQL with
/// positional parameters <c>$1…$n</c>), on the context's open connection and inside its current transaction: the
/// PostgreSQL counterpart of a prepared <see cref="SqliteStatement"/> executed per row.
/// </summary>
public static class PostgresBatch
{
    /// <summary>A command on <paramref name="db"/>'s connection with <paramref name="values"/> as <c>$1…$n</c> (null as SQL NULL).</summary>
    public static NpgsqlCommand Command(DbContext db, string sql, params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(values);
        var command = new NpgsqlCommand(sql, (NpgsqlConnection)db.Database.GetDbConnection());
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return command;
    }

    /// <summary>
    /// Executes <paramref name="sql"/> once per entry of <paramref name="rows"/> (each entry the values of <c>$1…$n</c>) in one
    /// batch; returns the rows each execution affected (0 for an <c>ON CONFLICT DO NOTHING</c> that skipped its row). The
    /// connection must be open.
    /// </summary>
    /// <exception cref="PostgresException">PostgreSQL refused a row; the transaction is then aborted and must be rolled back.</exception>
    public static async Task<int[]> ExecuteAsync(DbContext db, string sql, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var affected = new int[rows.Count];
        if (rows.Count == 0)
        {
            return affected;
        }

        await using var batch = Batch(db, sql, rows);
        await batch.ExecuteNonQueryAsync(ct);
        for (var i = 0; i < rows.Count; i++)
        {
            affected[i] = batch.BatchCommands[i].RecordsAffected;
        }

        return affected;
    }

    private static NpgsqlBatch Batch(DbContext db, string sql, IReadOnlyList<object?[]> rows)
    {
        ArgumentNullException.ThrowIfNull(db);
        var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection());
        foreach (var row in rows)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var value in row)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
            }

            batch.BatchCommands.Add(command);
        }

        return batch;
    }
}
