using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Data;
using Monetization.Platform.Tests.ThrowAwayModule;

namespace Monetization.Platform.Tests;

/// <summary>
/// A module's SQLite connection as the Host sets it up (issue 22): created without EF Core's decimal and regexp SQL
/// functions, which Microsoft.Data.Sqlite would register on every open and remove on every close, with the configured
/// command timeout and the per-connection settings still applied.
/// </summary>
public sealed class SqliteConnectionSetupTests
{
    [Test]
    public async Task A_module_connection_has_no_ef_core_functions_and_keeps_its_timeout_and_settings()
    {
        await using var factory = new NotesFactory();
        if (factory.Provider != DatabaseProvider.Sqlite)
        {
            Assert.Ignore("SQLite only: PostgreSQL connections are Npgsql's.");
        }

        _ = factory.Server;
        await factory.WriteNoteAsync("counted");
        var (timeout, foreignKeys, notes, missing) = await factory.QueryAsync(async db =>
        {
            await db.Database.OpenConnectionAsync();
            var connection = (SqliteConnection)db.Database.GetDbConnection();
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA foreign_keys";
            var foreignKeys = (long)(await pragma.ExecuteScalarAsync())!;
            await using var function = connection.CreateCommand();
            function.CommandText = "SELECT ef_add(1, 2)";
            var missing = Assert.ThrowsAsync<SqliteException>(() => function.ExecuteScalarAsync());
            return (connection.DefaultTimeout, foreignKeys, await db.Notes.CountAsync(), missing!.Message);
        });

        Assert.That(timeout, Is.EqualTo(30), "Database:BusyTimeoutSeconds (default 30) is the command timeout");
        Assert.That(foreignKeys, Is.EqualTo(1), "the per-connection settings still run");
        Assert.That(notes, Is.EqualTo(1), "EF Core queries run on the connection");
        Assert.That(missing, Does.Contain("no such function: ef_add"));
    }

    [Test]
    public async Task The_library_runs_without_connection_mutexes_or_allocation_statistics_and_the_host_works_on_it()
    {
        Assert.That(SqliteLibrarySetUp.Configured, Is.True, "SQLITE_CONFIG_MULTITHREAD and SQLITE_CONFIG_MEMSTATUS=0 applied before the first connection");
        Assert.That(SqliteLibrary.Configure(), Is.True, "later calls report the same outcome and change nothing");

        await using var factory = new NotesFactory();
        if (factory.Provider != DatabaseProvider.Sqlite)
        {
            Assert.Ignore("SQLite only.");
        }

        _ = factory.Server;
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => factory.WriteNoteAsync($"note {i}")));
        var notes = await factory.QueryAsync(db => db.Notes.CountAsync());

        Assert.That(notes, Is.EqualTo(20), "concurrent requests on pooled connections, each used by one operation at a time");
        Assert.That(SQLitePCL.raw.sqlite3_memory_used(), Is.Zero, "no allocation statistics are kept (each would lock a process-wide mutex)");
    }
}
