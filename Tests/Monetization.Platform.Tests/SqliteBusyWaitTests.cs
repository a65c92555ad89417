using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Data;
using Monetization.Platform.Tests.ThrowAwayModule;

namespace Monetization.Platform.Tests;

/// <summary>
/// The busy handler every module connection gets (real SQLite files, two connections): a waiting writer retries in 1 ms
/// steps, so it gets the lock soon after release, and gives up with SQLITE_BUSY once its timeout is spent.
/// </summary>
public sealed class SqliteBusyWaitTests
{
    private static string NewFile()
    {
        var file = Path.Combine(Path.GetTempPath(), "monetization-busy", Guid.NewGuid().ToString("N") + ".db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        return file;
    }

    private static SqliteConnection Open(string file)
    {
        var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS t (v INTEGER NOT NULL);";
        command.ExecuteNonQuery();
        return connection;
    }

    /// <summary>Takes the write lock on <paramref name="connection"/> and releases it after <paramref name="holdFor"/>.</summary>
    private static Task HoldWriteLockAsync(SqliteConnection connection, TimeSpan holdFor)
    {
        var transaction = connection.BeginTransaction();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO t (v) VALUES (1)";
            command.ExecuteNonQuery();
        }

        return Task.Run(async () =>
        {
            await Task.Delay(holdFor);
            transaction.Commit();
            transaction.Dispose();
        });
    }

    /// <summary>
    /// One connection holds the write lock for <paramref name="holdFor"/> while another, with the handler and
    /// <paramref name="timeoutMilliseconds"/>, runs <c>BEGIN IMMEDIATE</c>: how long it waited and what it threw, if anything.
    /// </summary>
    private static async Task<(TimeSpan Waited, SqliteException? Error)> BeginWhileLockedAsync(int timeoutMilliseconds, TimeSpan holdFor)
    {
        var file = NewFile();
        using var holder = Open(file);
        using var waiter = Open(file);
        SqliteBusyWait.Install(waiter, timeoutMilliseconds);
        var released = HoldWriteLockAsync(holder, holdFor);
        var waited = Stopwatch.StartNew();
        SqliteException? error = null;
        try
        {
            using var begin = SqliteStatement.Prepare(waiter, "BEGIN IMMEDIATE");
            begin.Execute();
            waited.Stop();
            using var commit = SqliteStatement.Prepare(waiter, "COMMIT");
            commit.Execute();
        }
        catch (SqliteException e)
        {
            waited.Stop();
            error = e;
        }

        await released;
        return (waited.Elapsed, error);
    }

    [Test]
    public async Task A_waiting_writer_gets_the_lock_soon_after_it_is_released()
    {
        var (waited, error) = await BeginWhileLockedAsync(timeoutMilliseconds: 30_000, holdFor: TimeSpan.FromMilliseconds(30));
        Assert.That(error, Is.Null);
        Assert.That(waited, Is.LessThan(TimeSpan.FromMilliseconds(600)), "the writer retries in 1 ms steps");
    }

    [Test]
    public async Task A_writer_gives_up_with_SQLITE_BUSY_once_its_timeout_is_spent()
    {
        var (waited, error) = await BeginWhileLockedAsync(timeoutMilliseconds: 80, holdFor: TimeSpan.FromSeconds(3));
        Assert.That(error?.SqliteErrorCode, Is.EqualTo(5), "SQLITE_BUSY");
        Assert.That(waited, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(80)).And.LessThan(TimeSpan.FromMilliseconds(2_500)),
            "it waited its timeout, then stopped while the lock was still held");
    }

    [Test]
    public void Refuses_a_closed_connection_and_a_negative_timeout()
    {
        using var closed = new SqliteConnection($"Data Source={NewFile()}");
        Assert.Throws<ArgumentException>(() => SqliteBusyWait.Install(closed, 1_000));
        using var open = Open(NewFile());
        Assert.Throws<ArgumentOutOfRangeException>(() => SqliteBusyWait.Install(open, -1));
    }

    [Test]
    public async Task Module_connections_get_it_when_they_open()
    {
        await using var factory = new NotesFactory();
        factory.WithSetting("Database:Provider", "Sqlite"); // a SQLite detail, on SQLite in the PostgreSQL pass too
        _ = factory.Server;
        var file = await factory.QueryAsync(db => Task.FromResult(new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource));
        using var holder = Open(file);

        var released = HoldWriteLockAsync(holder, TimeSpan.FromMilliseconds(30));
        var waited = Stopwatch.StartNew();
        await factory.QueryAsync(db => db.Database.ExecuteSqlRawAsync("DELETE FROM Notes WHERE 0"));
        waited.Stop();
        await released;

        Assert.That(waited.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(600)),
            "a module's write waiting for another connection's lock resumes within milliseconds of its release");
    }
}
