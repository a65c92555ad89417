using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Monetization.BuildingBlocks.Data;

/// <summary>
/// A transaction that is its database's only writer in this process: it holds the database's <see cref="SqliteWriteGate"/>
/// from before <c>BEGIN</c> until it is disposed, so concurrent writers of this process queue in order instead of in
/// SQLite's sleeping busy handler. Disposing rolls back what was not committed, then leaves the gate.
/// </summary>
public sealed class WriteTransaction : IAsyncDisposable
{
    private readonly SqliteWriteGate.Lease _gate;

    private WriteTransaction(IDbContextTransaction transaction, SqliteWriteGate.Lease gate)
    {
        Transaction = transaction;
        _gate = gate;
    }

    /// <summary>The EF Core transaction; work through the same <see cref="DbContext"/> joins it.</summary>
    public IDbContextTransaction Transaction { get; }

    /// <summary>Waits for the writer gate of <paramref name="db"/>'s database, then begins a transaction on it.</summary>
    /// <exception cref="OperationCanceledException">Cancelled while waiting; nothing was begun.</exception>
    public static async Task<WriteTransaction> BeginAsync(DbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var gate = await SqliteWriteGate.EnterAsync(db, ct);
        try
        {
            return new WriteTransaction(await db.Database.BeginTransactionAsync(ct), gate);
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
