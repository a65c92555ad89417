using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Data;

namespace Monetization.Platform.Tests;

/// <summary>The positional prepared statement that usage ingestion runs per event (a real SQLite file, through EF Core's connection).</summary>
public sealed class SqliteStatementTests
{
    /// <summary>A context on a fresh SQLite file, its connection open, with <paramref name="schema"/> applied.</summary>
    private static async Task<PlatformDbContext> OpenAsync(string schema)
    {
        var file = Path.Combine(Path.GetTempPath(), "monetization-statement", Guid.NewGuid().ToString("N") + ".db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var db = new PlatformDbContext(new DbContextOptionsBuilder<PlatformDbContext>().UseSqlite($"Data Source={file}").Options);
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync(schema);
        return db;
    }

    [Test]
    public async Task Binds_text_empty_text_null_and_integers_reports_changes_and_returns_values()
    {
        await using var db = await OpenAsync("CREATE TABLE t (k TEXT NOT NULL PRIMARY KEY, v TEXT NULL, n INTEGER NOT NULL) WITHOUT ROWID;");
        var connection = db.Database.GetDbConnection();

        using (var insert = SqliteStatement.Prepare(connection, "INSERT INTO t (k, v, n) VALUES (?1, ?2, ?3) ON CONFLICT(k) DO NOTHING"))
        {
            insert.Bind(1, "é-ünïcode ✓");
            insert.Bind(2, "");
            insert.Bind(3, long.MaxValue);
            Assert.That(insert.Execute(), Is.EqualTo(1));

            insert.Bind(1, "second");
            insert.Bind(2, (string?)null);
            insert.Bind(3, -5);
            Assert.That(insert.Execute(), Is.EqualTo(1));

            insert.Bind(1, "second");
            Assert.That(insert.Execute(), Is.EqualTo(0), "a conflicting row is not inserted and says so");
        }

        using (var upsert = SqliteStatement.Prepare(connection, "INSERT INTO t (k, v, n) VALUES (?1, NULL, ?2) ON CONFLICT(k) DO UPDATE SET n = n + excluded.n RETURNING n"))
        {
            upsert.Bind(1, "second");
            upsert.Bind(2, 7);
            Assert.That(upsert.ExecuteScalarInt64(), Is.EqualTo(2));
        }

        var rows = await db.Database.SqlQueryRaw<Row>("SELECT k AS K, v AS V, n AS N FROM t ORDER BY n").ToListAsync();
        Assert.That(rows, Is.EqualTo(new[] { new Row("second", null, 2), new Row("é-ünïcode ✓", "", long.MaxValue) }),
            "UTF-16 text round-trips, an empty string stays '' (not NULL), null is NULL");
    }

    [Test]
    public async Task Binds_text_longer_than_the_stack_buffer_as_the_same_utf8_bytes()
    {
        await using var db = await OpenAsync("CREATE TABLE t (k INTEGER NOT NULL PRIMARY KEY, v TEXT NOT NULL);");
        var connection = db.Database.GetDbConnection();

        // A Stripe-event-sized body with two- and three-byte characters and a surrogate pair, past the 512-byte stack buffer.
        var payload = string.Concat(Enumerable.Repeat("{\"name\":\"Zoë Müller\",\"amount\":\"1 000 €\",\"note\":\"🙂\"}", 80));
        var texts = new[] { payload, "short ✓", new string('x', 600) + "é" };
        using (var insert = SqliteStatement.Prepare(connection, "INSERT INTO t (k, v) VALUES (?1, ?2)"))
        {
            for (var i = 0; i < texts.Length; i++)
            {
                insert.Bind(1, i);
                insert.Bind(2, texts[i]);
                insert.Execute();
            }
        }

        var rows = await db.Database.SqlQueryRaw<Stored>("SELECT v AS V, length(CAST(v AS BLOB)) AS Bytes FROM t ORDER BY k").ToListAsync();
        Assert.That(rows.Select(r => r.V), Is.EqualTo(texts), "the text reads back unchanged");
        Assert.That(rows.Select(r => r.Bytes), Is.EqualTo(texts.Select(t => (long)System.Text.Encoding.UTF8.GetByteCount(t))),
            "stored as exactly the text's UTF-8 bytes (no terminator, no leftover bytes of a reused buffer)");
    }

    private sealed record Stored(string V, long Bytes);

    [Test]
    public async Task Runs_inside_the_connections_transaction_and_reports_sqlite_errors()
    {
        await using var db = await OpenAsync("CREATE TABLE t (k TEXT NOT NULL PRIMARY KEY, v TEXT NOT NULL);");
        var connection = db.Database.GetDbConnection();

        await using (await db.Database.BeginTransactionAsync())
        {
            using var insert = SqliteStatement.Prepare(connection, "INSERT INTO t (k, v) VALUES (?1, ?2)");
            insert.Bind(1, "a");
            insert.Bind(2, "x");
            insert.Execute();

            insert.Bind(1, "b");
            insert.Bind(2, (string?)null);
            var error = Assert.Throws<SqliteException>(() => insert.Execute());
            Assert.That(error!.SqliteErrorCode, Is.EqualTo(19), "SQLITE_CONSTRAINT");
            Assert.That(error.Message, Does.Contain("NOT NULL"));
        }

        // Disposed without commit: the row written through the statement is rolled back with EF Core's transaction.
        Assert.That(await db.Database.SqlQueryRaw<long>("SELECT COUNT(*) AS Value FROM t").SingleAsync(), Is.EqualTo(0));
        Assert.Throws<SqliteException>(() => SqliteStatement.Prepare(connection, "INSERT INTO missing VALUES (?1)").Dispose());
        Assert.Throws<ArgumentException>(() => SqliteStatement.Prepare(new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:"), "SELECT 1"));
    }

    [Test]
    public async Task Reads_the_rows_of_a_query_and_of_a_write_with_returning_then_runs_again()
    {
        await using var db = await OpenAsync(
            "CREATE TABLE t (k INTEGER NOT NULL PRIMARY KEY, v TEXT NULL, leased TEXT NULL);"
            + "INSERT INTO t (k, v) VALUES (1, 'één'), (2, NULL), (3, ''), (4, 'four');");
        var connection = db.Database.GetDbConnection();

        using (var lease = SqliteStatement.Prepare(connection, "UPDATE t SET leased = ?1 WHERE k IN (SELECT k FROM t WHERE leased IS NULL ORDER BY k LIMIT ?2) RETURNING k, v"))
        {
            lease.Bind(1, "first");
            lease.Bind(2, 3);
            var rows = new List<(long, string?)>();
            while (lease.Read())
            {
                rows.Add((lease.GetInt64(0), lease.GetString(1)));
            }

            Assert.That(rows.OrderBy(r => r.Item1), Is.EqualTo(new (long, string?)[] { (1, "één"), (2, null), (3, "") }),
                "UTF-8 text, NULL as null and '' as empty come back as stored");

            lease.Bind(1, "second");
            Assert.That(lease.Read(), Is.True, "after the last row the statement is reset, so it runs again with new values");
            Assert.That(lease.GetInt64(0), Is.EqualTo(4));
            Assert.That(lease.Read(), Is.False);
            Assert.That(lease.Read(), Is.False, "nothing left to lease");
        }

        using (var select = SqliteStatement.Prepare(connection, "SELECT k FROM t WHERE k IN (SELECT value FROM json_each(?1)) ORDER BY k"))
        {
            select.Bind(1, "[4,2,9]");
            Assert.That(select.Read(), Is.True);
            Assert.That(select.GetInt64(0), Is.EqualTo(2));
            select.Reset();
            select.Bind(1, "[3]");
            Assert.That(select.Read() && select.GetInt64(0) == 3, Is.True, "a statement stopped early with Reset runs again");
        }

        Assert.That(await db.Database.SqlQueryRaw<long>("SELECT COUNT(*) AS Value FROM t WHERE leased = 'first'").SingleAsync(), Is.EqualTo(3));
    }

    private sealed record Row(string K, string? V, long N);
}
