using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Data;

namespace Monetization.Platform.Tests;

/// <summary>
/// The writer connection (docs/adr/0078): holders of a database's write gate open their connection from a pool of their own,
/// so one native SQLite connection, with its page cache, carries the writes from one gate holder to the next, and readers
/// never get it.
/// </summary>
public sealed class SqliteWriterConnectionTests
{
    private static PlatformDbContext Context(string connectionString) =>
        new(new DbContextOptionsBuilder<PlatformDbContext>().UseSqlite(connectionString).Options);

    private static string NewDatabase(string? extra = null)
    {
        var file = Path.Combine(Path.GetTempPath(), "monetization-writer", Guid.NewGuid().ToString("N") + ".db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        return $"Data Source={file}" + extra;
    }

    private static nint NativeHandle(DbContext db) => ((SqliteConnection)db.Database.GetDbConnection()).Handle!.DangerousGetHandle();

    private static async Task<nint> WriteUnderGateAsync(string connectionString, long value)
    {
        await using var db = Context(connectionString);
        await using var transaction = await WriteTransaction.BeginAsync(db, CancellationToken.None);
        var handle = NativeHandle(db);
        await db.Database.ExecuteSqlAsync($"INSERT INTO Items (Value) VALUES ({value})");
        await transaction.CommitAsync(CancellationToken.None);
        return handle;
    }

    [Test]
    public async Task Gate_holders_write_through_one_native_connection_that_readers_never_get()
    {
        var connectionString = NewDatabase();
        await using (var setup = Context(connectionString))
        {
            await setup.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL; CREATE TABLE Items (Value INTEGER NOT NULL);");
        }

        var firstWriter = await WriteUnderGateAsync(connectionString, 1);

        // Readers open outside the gate, two at once so the shared pool has to hand out two connections.
        await using var reader = Context(connectionString);
        await using var otherReader = Context(connectionString);
        await reader.Database.OpenConnectionAsync();
        await otherReader.Database.OpenConnectionAsync();
        Assert.That(new[] { NativeHandle(reader), NativeHandle(otherReader) }, Has.None.EqualTo(firstWriter), "the writer's native connection stays in the writer pool");
        Assert.That(reader.Database.GetDbConnection().ConnectionString, Is.EqualTo(connectionString), "a reader's connection string is the configured one");
        Assert.That(await reader.Database.SqlQueryRaw<long>("SELECT Value FROM Items").ToListAsync(), Is.EqualTo(new[] { 1L }), "readers see the commit");
        await reader.Database.CloseConnectionAsync();
        await otherReader.Database.CloseConnectionAsync();

        Assert.That(await WriteUnderGateAsync(connectionString, 2), Is.EqualTo(firstWriter), "the next gate holder gets the same native connection back");
        Assert.That(await WriteUnderGateAsync(connectionString, 3), Is.EqualTo(firstWriter));
        await using var check = Context(connectionString);
        Assert.That(await check.Database.SqlQueryRaw<long>("SELECT Value FROM Items ORDER BY Value").ToListAsync(), Is.EqualTo(new[] { 1L, 2L, 3L }));
    }

    [Test]
    public async Task The_connection_string_is_the_configured_one_again_once_the_writer_closes_or_leaves_unopened()
    {
        var connectionString = NewDatabase();
        await using var db = Context(connectionString);
        var connection = db.Database.GetDbConnection();

        using (await SqliteWriteGate.EnterAsync(db, CancellationToken.None))
        {
            Assert.That(connection.ConnectionString, Is.Not.EqualTo(connectionString), "pointed at the writer pool while the gate is held");
        }

        Assert.That(connection.ConnectionString, Is.EqualTo(connectionString), "left without opening: pointed back at once");

        var lease = await SqliteWriteGate.EnterAsync(db, CancellationToken.None);
        await db.Database.OpenConnectionAsync();
        lease.Dispose();
        Assert.That(connection.ConnectionString, Is.Not.EqualTo(connectionString), "still open after the gate: it keeps its writer connection until it closes");
        await db.Database.CloseConnectionAsync();
        Assert.That(connection.ConnectionString, Is.EqualTo(connectionString), "closed: its native connection went back to the writer pool");
    }

    [Test]
    public async Task An_open_connection_and_a_connection_without_pooling_are_left_as_they_are()
    {
        var connectionString = NewDatabase();
        await using (var open = Context(connectionString))
        {
            await open.Database.OpenConnectionAsync();
            var handle = NativeHandle(open);
            using (await SqliteWriteGate.EnterAsync(open, CancellationToken.None))
            {
                Assert.That(open.Database.GetDbConnection().ConnectionString, Is.EqualTo(connectionString));
                Assert.That(NativeHandle(open), Is.EqualTo(handle));
            }
        }

        var unpooled = NewDatabase(";Pooling=False");
        await using var db = Context(unpooled);
        using (await SqliteWriteGate.EnterAsync(db, CancellationToken.None))
        {
            Assert.That(db.Database.GetDbConnection().ConnectionString, Is.EqualTo(unpooled), "no pool, no cache to keep: nothing to point at");
        }

    }
}
