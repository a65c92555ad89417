using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Monetization.BuildingBlocks.Data;
using Monetization.TestKit;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;
using Npgsql;

namespace Monetization.Usage.Tests;

/// <summary>
/// Issue 22: the migration that moves day totals out of <c>UsageRollups</c> into <c>UsageDayTotals</c> carries every stored
/// day row over, leaves the month rows as they were, and can be undone. Runs on the provider the suite runs on (a real
/// SQLite file, or a database on the test PostgreSQL server).
/// </summary>
public sealed class DayTotalsMigrationTests
{
    private const string SqliteBefore = "20261204100000_OutboxTraceParent";
    private const string PostgresBefore = "20261204111134_PostgresInitial";

    [Test]
    public async Task Stored_day_rows_move_to_the_day_table_and_back()
    {
        var postgres = TestDatabases.Provider == DatabaseProvider.Postgres;
        var directory = Directory.CreateTempSubdirectory("day-totals-").FullName;
        var database = TestDatabases.DatabaseNameFor(directory);
        try
        {
            await using (var db = (UsageDbContext)(postgres
                ? ModuleContexts.Postgres(typeof(UsageDbContext), await TestDatabases.CreatePostgresDatabaseAsync(database), "usage")
                : ModuleContexts.Sqlite(typeof(UsageDbContext), Path.Combine(directory, "usage.db"))))
            {
                await db.GetService<IMigrator>().MigrateAsync(postgres ? PostgresBefore : SqliteBefore);
                var rollups = postgres ? "usage.\"UsageRollups\"" : "\"UsageRollups\"";
                var updatedAt = postgres ? "now()" : "0";
                var insert =
                    $"INSERT INTO {rollups} (\"UserId\", \"Period\", \"Meter\", \"Dimensions\", \"Used\", \"InputTokens\", \"OutputTokens\", \"Events\", \"UpdatedAt\") VALUES "
                    + $"('u1', '2026-11', 'tokens', '', 990, 900, 90, 4, {updatedAt}), "
                    + $"('u1', '2026-11', 'tokens', 'model=mini', 770, 700, 70, 2, {updatedAt}), "
                    + $"('u1', '2026-11-01', 'tokens', '', 550, 500, 50, 2, {updatedAt}), "
                    + $"('u1', '2026-11-02', 'tokens', '', 440, 400, 40, 2, {updatedAt}), "
                    + $"('u2', '2026-11-02', 'api_calls', '', 3, 0, 0, 3, {updatedAt})";
                await db.Database.ExecuteSqlRawAsync(insert);

                await db.Database.MigrateAsync();

                Assert.That(
                    (await db.DayTotals.AsNoTracking().ToListAsync()).Select(d => (d.Day, d.UserId, d.Meter, d.Used, d.InputTokens, d.OutputTokens, d.Events)),
                    Is.EquivalentTo(new[]
                    {
                        (20261101, "u1", "tokens", 550L, 500L, 50L, 2L),
                        (20261102, "u1", "tokens", 440L, 400L, 40L, 2L),
                        (20261102, "u2", "api_calls", 3L, 0L, 0L, 3L),
                    }));
                Assert.That(
                    (await db.Rollups.AsNoTracking().ToListAsync()).Select(r => (r.UserId, r.Period, r.Dimensions, r.Used)),
                    Is.EquivalentTo(new[] { ("u1", "2026-11", "", 990L), ("u1", "2026-11", "model=mini", 770L) }),
                    "only the month rows stay");

                await db.GetService<IMigrator>().MigrateAsync(postgres ? PostgresBefore : SqliteBefore);
                var dayRows = $"SELECT \"UserId\" || ' ' || \"Period\" || ' ' || \"Meter\" || ' ' || CAST(\"Used\" AS TEXT) AS \"Value\" FROM {rollups} WHERE length(\"Period\") = 10";
                var back = await db.Database.SqlQueryRaw<string>(dayRows).ToListAsync();
                Assert.That(back, Is.EquivalentTo(new[] { "u1 2026-11-01 tokens 550", "u1 2026-11-02 tokens 440", "u2 2026-11-02 api_calls 3" }), "Down puts the day rows back");
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            NpgsqlConnection.ClearAllPools();
            if (postgres)
            {
                await TestDatabases.DropPostgresDatabaseAsync(database);
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    [TestCase("2026-11-05", 20261105)]
    [TestCase("1999-01-31", 19990131)]
    public void A_day_is_its_number_and_back(string day, int number)
    {
        Assert.That(UsageDay.Number(day), Is.EqualTo(number));
        Assert.That(UsageDay.Text(number), Is.EqualTo(day));
    }

    [TestCase("2026-11")]
    [TestCase("2026/11/05")]
    [TestCase("2026-1x-05")]
    public void Not_a_day_has_no_number(string text) => Assert.Throws<FormatException>(() => UsageDay.Number(text));
}
