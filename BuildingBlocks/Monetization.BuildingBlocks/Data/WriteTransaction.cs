using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Monetization.BuildingBlocks.Data;

/// <summary>
/// A transaction that is its database's only writer in this process: it holds the database's <see cref="SqliteWriteGate"/>
/// from before <c>BEGIN</c> until it is disposed, so concurrent writers of this process queue in order instead of in
/// SQLite's sleeping busy handler. On PostgreSQL it is also the module's only such writer across every Host on the database:
/// right after <c>BEGIN</c> it takes a transaction-scoped advisory lock on the module's schema (<see cref="PostgresLockSql"/>),
/// released by the commit or rollback, so the read-then-write work done in these transactions (rollups, webhook batches,
/// consumers) sees what the previous one wrote, as it does on SQLite's single-writer file (issue 17, ADR 0074).
/// On SQLite the transaction runs on the database's writer connection (<see cref="SqliteWriterConnection"/>, ADR 0078) when the
/// context's connection is closed as it begins, which is the usual case. Disposing rolls back what was not committed, then leaves the gate.
/// </summary>
public sealed class WriteTransaction : IAsyncDisposable
{
    private readonly SqliteWriteGate.Lease _gate;

    private WriteTransaction(IDbContextTransaction transaction, SqliteWriteGate.Lease gate)
    {
        Transaction = transaction;
        _gate = gate;
    }

    /// <summary>
    /// The PostgreSQL lock of the module's writers: advisory lock (class 1297042757, "MONE"; key the hash of the current schema,
    /// the module's), held until the transaction ends.
    /// </summary>
    public const string PostgresLockSql = "SELECT pg_advisory_xact_lock(1297042757, hashtext(current_schema()))";

    /// <summary>The EF Core transaction; work through the same <see cref="DbContext"/> joins it.</summary>
    public IDbContextTransaction Transaction { get; }

    /// <summary>Waits for the writer gate of <paramref name="db"/>'s database, then begins a transaction on it (and, on PostgreSQL, waits for the module's lock).</summary>
    /// <exception cref="OperationCanceledException">Cancelled while waiting; nothing was begun.</exception>
    public static async Task<WriteTransaction> BeginAsync(DbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var gate = await SqliteWriteGate.EnterAsync(db, ct);
        try
        {
            var transaction = await db.Database.BeginTransactionAsync(ct);
            if (db.IsPostgres())
            {
                try
                {
                    await db.Database.ExecuteSqlRawAsync(PostgresLockSql, ct);
                }
                catch
                {
                    await transaction.DisposeAsync();
                    throw;
                }
            }

            return new WriteTransaction(transaction, gate);
        }
        catch
        {
            gate.Dispose();
            throw;
        }
    }

    /// <summary>Commits everything done in the transaction.</summary>
    public Task CommitAsync(CancellationToken ct) => Transaction.CommitAsync(ct);

    /// <summary>Rolls back what was not committed and leaves the writer gate.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Transaction.DisposeAsync();
        }
        finally
        {
            _gate.Dispose();
        }
    }
}
