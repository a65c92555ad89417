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
        while (new FileInfo(file).Length < before + 200_000 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.That(new FileInfo(file).Length, Is.GreaterThanOrEqualTo(before + 200_000),
            "the 200 KB row left the log for the database file without any writer checkpointing (their backstop is 64 MiB away)");
    }
}
