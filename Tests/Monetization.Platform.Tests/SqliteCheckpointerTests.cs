using System.Buffers.Binary;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Data;
using Monetization.Platform.Tests.ThrowAwayModule;

namespace Monetization.Platform.Tests;

/// <summary>The background checkpoint of each module's write-ahead log (a real Host, a real SQLite file).</summary>
public sealed class SqliteCheckpointerTests
{
    [Test]
    public async Task Committed_pages_reach_the_database_file_in_the_background_while_writers_only_keep_a_backstop()
    {
        await using var factory = new NotesFactory();
        factory.WithSetting("Database:Provider", "Sqlite"); // a SQLite detail, on SQLite in the PostgreSQL pass too
        _ = factory.Server;
        var file = await factory.QueryAsync(db => Task.FromResult(new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource));
        var backstop = await factory.QueryAsync(async db =>
        {
            await db.Database.OpenConnectionAsync();
            await using DbCommand command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "PRAGMA wal_autocheckpoint;";
            return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        });
        Assert.That(backstop, Is.EqualTo(SqliteCheckpointer.BackstopPages), "a writer no longer checkpoints every 1,000 pages in its own commit");

        var before = new FileInfo(file).Length;
        await factory.QueryAsync(db => db.Database.ExecuteSqlRawAsync("INSERT INTO Notes (Id, Text) VALUES ('bulk', hex(randomblob(100000)));"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        // The row is 200,000 bytes of text: at least 48 overflow pages of 4 KiB (196,608 bytes) that only a checkpoint can
        // bring into the file. Whether its first bytes land on a page that exists already depends on what the migrations
        // left, so the bound leaves that page out.
        while (new FileInfo(file).Length < before + 190_000 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.That(new FileInfo(file).Length, Is.GreaterThanOrEqualTo(before + 190_000),
            "the 200 KB row left the log for the database file without any writer checkpointing (their backstop is 64 MiB away)");
    }

    [Test]
    public async Task Under_back_to_back_writers_the_log_starts_over_long_before_the_backstop()
    {
        await using var factory = new NotesFactory();
        factory.WithSetting("Database:Provider", "Sqlite"); // a SQLite detail, on SQLite in the PostgreSQL pass too
        factory.WithSetting("Database:CheckpointIntervalMilliseconds", "10");
        factory.WithSetting("Database:LogRestartPages", "64");
        _ = factory.Server;
        var log = await factory.QueryAsync(db => Task.FromResult(new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource + "-wal"));
        var restartsBefore = LogRestarts(log);

        // One writer after another with no pause between them, as the webhook intake's batches come under load: each
        // commit adds about three pages (an 8 KB note), while a passive checkpoint alone would never find the log fully
        // copied when the next writer begins. Rounds of 800 writers (about 2,400 pages) until the log has started over five
        // times, three rounds at most: a loaded machine gives the checkpointer fewer turns per round. Even three rounds stay
        // far below the writers' 16,384-page backstop, and without the catch-up a round saw about one restart.
        var written = 0;
        for (var round = 0; round < 3 && LogRestarts(log) - restartsBefore < 5; round++)
        {
            written += await factory.QueryAsync(async db =>
            {
                var text = new string('x', 8_000);
                for (var i = 0; i < 800; i++)
                {
                    await using var transaction = await db.BeginWriteTransactionAsync(CancellationToken.None);
                    db.Notes.Add(new Note { Id = $"bulk_{round}_{i}", Text = text });
                    await db.SaveChangesAsync();
                    await transaction.CommitAsync(CancellationToken.None);
                    db.ChangeTracker.Clear();
                }

                return 800;
            });
        }

        var restarts = LogRestarts(log) - restartsBefore;
        Assert.That(restarts, Is.GreaterThanOrEqualTo(5),
            "the log started over again and again (every 64 pages or so), not only at the writers' 16,384-page backstop");
        Assert.That(await factory.QueryAsync(db => db.Notes.CountAsync(n => n.Id.StartsWith("bulk_"))), Is.EqualTo(written), "no write was lost on the way");
    }

    /// <summary>
    /// How many times the log has started over: the checkpoint sequence number in the log file's header (bytes 12–15,
    /// big-endian; https://sqlite.org/fileformat.html#the_write_ahead_log), which each restart increments.
    /// </summary>
    private static uint LogRestarts(string log)
    {
        using var file = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> header = stackalloc byte[32];
        return file.Read(header) == 32 ? BinaryPrimitives.ReadUInt32BigEndian(header[12..]) : 0;
    }
}
