using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Monetization.BuildingBlocks.Data;

/// <summary>
/// One in-process, first-come-first-served writer gate per SQLite database file. SQLite allows one writer at a time and
/// makes the others wait in its busy handler, which sleeps in growing steps (1, 2, 5 … 100 ms): under concurrent
/// requests that turns a 1 ms write into tail latencies of seconds. Writers of this process that take the gate instead
/// queue without sleeping; <c>busy_timeout</c> remains the fallback for writers that do not (other processes, rare
/// single-statement updates). Not re-entrant: never enter it twice in one call chain, and never hold it across a call
/// that may come back into the same database (an HTTP call to ourselves).
/// <para>
/// Holding the gate also gives the writer the database's writer connection (<see cref="SqliteWriterConnection"/>): a
/// context whose connection is closed when it enters opens it from a pool of its own, which only the gate's holders use,
/// so consecutive writes find their pages still in that connection's page cache (docs/adr/0078).
/// </para>
/// </summary>
public static class SqliteWriteGate
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    /// <summary>
    /// The gate per connection string as given, so the string is parsed once, not on every entry (0.6 % of the Host's CPU
    /// under webhook load; issue 22). A relative file name is resolved against the working directory of that first time.
    /// </summary>
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> GatesByConnectionString = new(StringComparer.Ordinal);

    /// <summary>Waits for the gate of the database behind <paramref name="db"/>; dispose the result to leave it.</summary>
    public static async ValueTask<Lease> EnterAsync(DbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var gate = GateOf(db.Database.GetConnectionString() ?? "");
        await gate.WaitAsync(cancellationToken);
        return new Lease(gate, SqliteWriterConnection.Take(db));
    }

    /// <summary>
    /// Blocks for at most <paramref name="timeout"/> until the gate of the database file that <paramref name="connectionString"/>
    /// names is free, for work on a connection of the caller's own (the background checkpointer's catch-up): no writer
    /// connection is handed out. Null when the gate stayed taken that long; otherwise dispose the result to leave the gate.
    /// It queues behind the writers already waiting, as they do: a blocking <see cref="SemaphoreSlim.Wait(TimeSpan)"/> is
    /// woken by a release but can be overtaken by a writer that asks at that moment, again and again under back-to-back
    /// writers, whereas a release hands the gate straight to the first queued asynchronous waiter.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled while waiting; the gate was not taken.</exception>
    public static Lease? TryEnter(string connectionString, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var gate = GateOf(connectionString);
        return gate.WaitAsync(timeout, cancellationToken).GetAwaiter().GetResult() ? new Lease(gate, null) : null;
    }

    private static SemaphoreSlim GateOf(string connectionString) =>
        GatesByConnectionString.GetOrAdd(connectionString, static given => Gates.GetOrAdd(KeyOf(given), static _ => new SemaphoreSlim(1, 1)));

    private static string KeyOf(string connectionString)
    {
        try
        {
            var source = new SqliteConnectionStringBuilder(connectionString).DataSource;
            return string.IsNullOrEmpty(source) || source == ":memory:" ? connectionString : Path.GetFullPath(source);
        }
        catch (ArgumentException)
        {
            return connectionString;
        }
    }

    /// <summary>Holding the gate; disposing releases it (once).</summary>
    public sealed class Lease : IDisposable
    {
        private SemaphoreSlim? _gate;
        private readonly SqliteWriterConnection? _writer;

        internal Lease(SemaphoreSlim gate, SqliteWriterConnection? writer)
        {
            _gate = gate;
            _writer = writer;
        }

        /// <summary>Leaves the gate. A writer connection that is closed by now is handed back at once; an open one when it closes.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _gate, null) is { } gate)
            {
                _writer?.ReturnIfClosed();
                gate.Release();
            }
        }
    }
}
