using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Modules;

namespace Monetization.BuildingBlocks.Data;

/// <summary>
/// Copies each module database's write-ahead log back into the database file in the background
/// (<c>PRAGMA wal_checkpoint(PASSIVE)</c> every <see cref="DatabaseOptions.CheckpointIntervalMilliseconds"/>, on a
/// connection of its own; https://sqlite.org/wal.html#application_initiated_checkpoints). Left to SQLite, the
/// checkpoint runs inside the commit of whichever writer pushes the log past 1,000 pages, with the write lock's queue
/// behind it: copying and <c>fsync</c> inside a commit every few hundred webhook events, which sets the tail latency of
/// webhook intake (docs/performance.md). A passive checkpoint takes no write lock, so writers go on meanwhile. Writer
/// connections keep SQLite's own checkpoint as a backstop, at <see cref="BackstopPages"/>, should this service fall
/// behind or not run (tests without hosted services).
/// <para>
/// The log starts over (its next frame written at its start again) only when a writer begins while every frame in it is
/// already in the database file (https://sqlite.org/walformat.html, "WAL reset"). Under back-to-back writers a passive
/// checkpoint never gets there: frames committed while it copies are left for the next one. The log then grew to the
/// backstop and the writer that crossed it ran a whole checkpoint, with two <c>fsync</c>s of up to 45 ms, inside the
/// webhook batch's commit, about once a second under webhook load (issue 22, docs/adr/0082). So once the log is over
/// <see cref="DatabaseOptions.LogRestartPages"/>, the passive checkpoint is followed by a second one, then a catch-up
/// inside the database's <see cref="SqliteWriteGate"/>: a last pass with no writer of this process running, after which
/// the next writer starts the log over. It runs as seldom as the backstop allows.
/// </para>
/// <para>
/// A passive checkpoint that stops short of the log's end does not sync the database file; the one that reaches it
/// does, and so writes back every page the earlier ones copied since the last restart. Inside the gate that was an
/// <c>fsync</c> of about 50 MiB, 23–32 ms with every waiting delivery behind it, and it set the webhook's p99 (issue 22,
/// ADR 0084). So before the gate the checkpointer syncs the file itself (<see cref="SqliteDatabaseFile.Sync"/>) and
/// copies what was committed meanwhile; the pass inside the gate then copies and syncs a few hundred pages, 2–6 ms.
/// </para>
/// </summary>
public sealed partial class SqliteCheckpointer(
    IServiceProvider services,
    ModuleCatalog catalog,
    IOptions<DatabaseOptions> options,
    ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    /// <summary>Log size, in pages, at which a committing writer checkpoints by itself (<c>PRAGMA wal_autocheckpoint</c>): 64 MiB of 4 KiB pages.</summary>
    public const int BackstopPages = 16_384;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Max(10, options.Value.CheckpointIntervalMilliseconds));
        var restartPages = Math.Max(16, options.Value.LogRestartPages);
        var connections = new List<(string Module, SqliteConnection Connection)>();
        try
        {
            await using (var scope = services.CreateAsyncScope())
            {
                foreach (var database in catalog.Databases)
                {
                    var db = (DbContext)scope.ServiceProvider.GetRequiredService(database.ContextType);
                    if (db.Database.IsSqlite() && db.Database.GetConnectionString() is { } connectionString)
                    {
                        var connection = new SqliteConnection(connectionString);
                        await connection.OpenAsync(stoppingToken);
                        connections.Add((database.Module, connection));
                    }
                }
            }

            // Its own thread: a checkpoint blocks in write() and fsync() for milliseconds, which the thread pool should not lend.
            await Task.Factory.StartNew(
                () =>
                {
                    while (!stoppingToken.WaitHandle.WaitOne(interval))
                    {
                        foreach (var (module, connection) in connections)
                        {
                            Checkpoint(module, connection, restartPages, interval, stoppingToken);
                        }
                    }
                },
                stoppingToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var (_, connection) in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// One passive checkpoint, and when the log is at least <paramref name="restartPages"/> long the catch-up: two more
    /// passes around a sync of the database file, then the last one inside the write gate. The gate is waited for at most
    /// one <paramref name="interval"/> (a long write, such as a usage invoice run, holds it for longer); without it the
    /// catch-up waits for the next tick. A failure is logged and retried on the next tick (the backstop still bounds the log).
    /// </summary>
    private void Checkpoint(string module, SqliteConnection connection, int restartPages, TimeSpan interval, CancellationToken stoppingToken)
    {
        try
        {
            // The first checkpoint copies the log as it was when it began; writers go on committing meanwhile. Past the
            // threshold a second one outside the gate copies what they committed during the first. The sync writes back
            // every page copied since the log last started over, which the pass inside the gate would otherwise have to
            // (ADR 0084), and a third pass copies what was committed during the sync: the one inside the gate has only the
            // last few milliseconds' pages to copy and write back.
            var logPages = CheckpointPassive(module, connection);
            if (logPages >= restartPages)
            {
                CheckpointPassive(module, connection);
                SqliteDatabaseFile.Sync(connection);
                CheckpointPassive(module, connection);
                using var gate = SqliteWriteGate.TryEnter(connection.ConnectionString, interval, stoppingToken);
                if (gate is not null)
                {
                    CheckpointPassive(module, connection);
                }
            }
        }
        catch (SqliteException e)
        {
            LogFailed(logger, module, e.Message);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary><c>PRAGMA wal_checkpoint(PASSIVE)</c>: the log's length in pages when it began.</summary>
    private int CheckpointPassive(string module, SqliteConnection connection)
    {
        var started = Stopwatch.GetTimestamp();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return 0;
        }

        var (logPages, copiedPages) = (reader.GetInt32(1), reader.GetInt32(2));
        if (copiedPages > 0)
        {
            LogCheckpointed(logger, module, copiedPages, logPages, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return logPages;
    }

    [LoggerMessage(Level = LogLevel.Trace, Message = "{Module}: {Pages} of {LogPages} log pages are in the database file after {Milliseconds:0.0} ms")]
    private static partial void LogCheckpointed(ILogger logger, string module, int pages, int logPages, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Module}: background checkpoint failed, retried on the next tick: {Error}")]
    private static partial void LogFailed(ILogger logger, string module, string error);
}
