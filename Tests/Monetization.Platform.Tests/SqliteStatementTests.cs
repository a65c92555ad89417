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

    [Test]
    public async Task A_disposed_statement_is_kept_per_connection_reset_and_without_parameters_and_taken_again_for_its_sql()
    {
        await using var db = await OpenAsync("CREATE TABLE t (k INTEGER NOT NULL PRIMARY KEY, v TEXT NULL, n INTEGER NULL);");
        var connection = db.Database.GetDbConnection();
        const string Insert = "INSERT INTO t (k, v, n) VALUES (?1, ?2, ?3)";
        using (var first = SqliteStatement.Prepare(connection, Insert))
        {
            first.Bind(1, 1);
            first.Bind(2, "bound once");
            first.Bind(3, 7);
            first.Execute();
            Assert.That(SqliteStatement.IdleStatementCount(connection), Is.EqualTo(0), "in use, not idle");

            // The same SQL while the first is in use: a statement of its own, finalized on dispose (one is kept per SQL).
            using var second = SqliteStatement.Prepare(connection, Insert);
            second.Bind(1, 2);
            second.Execute();
        }

        Assert.That(SqliteStatement.IdleStatementCount(connection), Is.EqualTo(1), "one statement kept for the SQL");
        using (var again = SqliteStatement.Prepare(connection, Insert))
        {
            Assert.That(SqliteStatement.IdleStatementCount(connection), Is.EqualTo(0), "the kept statement was taken");
            again.Bind(1, 3);
            again.Execute(); // ?2 and ?3 not bound this time: NULL, as on a freshly prepared statement
        }

        var rows = await db.Database.SqlQueryRaw<Row>("SELECT CAST(k AS TEXT) AS K, v AS V, COALESCE(n, -1) AS N FROM t ORDER BY k").ToListAsync();
        Assert.That(rows, Is.EqualTo(new[] { new Row("1", "bound once", 7), new Row("2", null, -1), new Row("3", null, -1) }),
            "a kept statement starts with no parameters bound");

        // The schema changes under a kept statement: SQLite compiles it again by itself.
        await db.Database.ExecuteSqlRawAsync("ALTER TABLE t ADD COLUMN w TEXT NULL;");
        using (var afterAlter = SqliteStatement.Prepare(connection, Insert))
        {
            afterAlter.Bind(1, 4);
            afterAlter.Bind(2, "after alter");
            Assert.That(afterAlter.Execute(), Is.EqualTo(1));
        }

        for (var i = 0; i < SqliteStatement.IdleStatementsPerConnection + 10; i++)
        {
            using var select = SqliteStatement.Prepare(connection, $"SELECT {i} FROM t LIMIT 1");
            Assert.That(select.Read() && select.GetInt64(0) == i, Is.True);
        }

        Assert.That(SqliteStatement.IdleStatementCount(connection), Is.EqualTo(SqliteStatement.IdleStatementsPerConnection),
            "at most that many are kept per connection");
    }

    [Test]
    public async Task A_kept_statement_stopped_mid_read_holds_no_read_transaction_and_the_connection_still_closes()
    {
        var file = Path.Combine(Path.GetTempPath(), "monetization-statement", Guid.NewGuid().ToString("N") + ".db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var connectionString = $"Data Source={file}";
        await using (var setup = new SqliteConnection(connectionString))
        {
            await setup.OpenAsync();
            await using var create = setup.CreateCommand();
            create.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE t (k INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3);";
            await create.ExecuteNonQueryAsync();
        }

        await using var reader = new SqliteConnection(connectionString);
        await reader.OpenAsync();
        using (var select = SqliteStatement.Prepare(reader, "SELECT k FROM t ORDER BY k"))
        {
            Assert.That(select.Read(), Is.True, "one row read, two left: the read transaction is open");
        }

        Assert.That(SqliteStatement.IdleStatementCount(reader), Is.EqualTo(1));
        await using (var writer = new SqliteConnection(connectionString))
        {
            await writer.OpenAsync();
            await using var write = writer.CreateCommand();
            write.CommandText = "INSERT INTO t VALUES (4);";
            await write.ExecuteNonQueryAsync();
            write.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await using var result = await write.ExecuteReaderAsync();
            Assert.That(await result.ReadAsync(), Is.True);
            Assert.That(result.GetInt64(0), Is.EqualTo(0), "the checkpoint was not blocked: the kept statement was reset, its snapshot released");
        }

        using (var select = SqliteStatement.Prepare(reader, "SELECT k FROM t ORDER BY k"))
        {
            var keys = new List<long>();
            while (select.Read())
            {
                keys.Add(select.GetInt64(0));
            }

            Assert.That(keys, Is.EqualTo(new long[] { 1, 2, 3, 4 }), "the kept statement runs again from the start and sees the new row");
        }

        // Closing with a statement kept: the pool's connection closes (SQLite keeps it until the statement is finalized),
        // nothing throws, and the file opens again.
        await reader.CloseAsync();
        SqliteConnection.ClearAllPools();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        await using var reopened = new SqliteConnection(connectionString);
        await reopened.OpenAsync();
        using var count = SqliteStatement.Prepare(reopened, "SELECT COUNT(*) FROM t");
        Assert.That(count.ExecuteScalarInt64(), Is.EqualTo(4));
    }

    private sealed record Row(string K, string? V, long N);
}
