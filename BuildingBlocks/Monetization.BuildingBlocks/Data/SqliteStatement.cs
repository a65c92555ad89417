using System.Data.Common;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Monetization.BuildingBlocks.Data;

/// <summary>
/// One SQL statement prepared once on an open <see cref="SqliteConnection"/> and executed many times with parameters
/// bound by position (<c>?1</c>, <c>?2</c>, …), through SQLitePCLRaw directly. For hot loops only (usage ingestion runs
/// one per stored event): ADO.NET's <see cref="SqliteCommand"/> looks every parameter up by name in SQLite and allocates
/// a data reader on each execution, which costs more than the insert itself. The statement runs on the connection's
/// native handle, so it belongs to whatever transaction the connection has open (EF Core's included).
/// </summary>
/// <remarks>
/// Not thread-safe (nor is the connection). Dispose it before the connection closes. Errors from SQLite are thrown as
/// <see cref="SqliteException"/> with SQLite's result code and message, as Microsoft.Data.Sqlite would.
/// </remarks>
public sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    private SqliteStatement(sqlite3 db, sqlite3_stmt statement)
    {
        _db = db;
        _statement = statement;
    }

    /// <summary>Prepares <paramref name="sql"/> (one statement, positional parameters) on an open SQLite connection.</summary>
    /// <exception cref="ArgumentException">The connection is not an open <see cref="SqliteConnection"/>.</exception>
    /// <exception cref="SqliteException">SQLite refused the SQL.</exception>
    public static SqliteStatement Prepare(DbConnection connection, string sql)
    {
        if (connection is not SqliteConnection sqlite || sqlite.Handle is not sqlite3 db)
        {
            throw new ArgumentException("An open SQLite connection is required.", nameof(connection));
        }

        var rc = raw.sqlite3_prepare_v2(db, sql, out var statement);
        if (rc != raw.SQLITE_OK)
        {
            statement?.Dispose();
            throw Error(db, rc);
        }

        return new SqliteStatement(db, statement);
    }

    /// <summary>Binds a 64-bit integer to parameter <paramref name="index"/> (1-based).</summary>
    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    /// <summary>Binds a 64-bit integer, or SQL NULL for <see langword="null"/>, to parameter <paramref name="index"/> (1-based).</summary>
    public void Bind(int index, long? value) => Check(value is { } v ? raw.sqlite3_bind_int64(_statement, index, v) : raw.sqlite3_bind_null(_statement, index));

    /// <summary>Binds text (or SQL NULL for <see langword="null"/>) to parameter <paramref name="index"/> (1-based).</summary>
    public void Bind(int index, string? value) =>
        Check(value switch
        {
            null => raw.sqlite3_bind_null(_statement, index),

            // An empty span would reach SQLite as a null pointer, which it stores as NULL, not as ''.
            "" => raw.sqlite3_bind_text(_statement, index, ""),
            _ => raw.sqlite3_bind_text16(_statement, index, value.AsSpan()),
        });

    /// <summary>Runs a statement that returns no rows; returns the rows it inserted, updated or deleted (<c>sqlite3_changes</c>).</summary>
    /// <exception cref="SqliteException">SQLite failed (a constraint, a busy database after its timeout, …).</exception>
    public int Execute()
    {
        try
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc is not (raw.SQLITE_DONE or raw.SQLITE_ROW))
            {
                throw Error(_db, rc);
            }

            return raw.sqlite3_changes(_db);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Runs a statement that returns one integer (<c>… RETURNING x</c>); <see langword="null"/> when it returned no row.</summary>
    /// <exception cref="SqliteException">SQLite failed.</exception>
    public long? ExecuteScalarInt64()
    {
        try
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc == raw.SQLITE_DONE)
            {
                return null;
            }

            if (rc != raw.SQLITE_ROW)
            {
                throw Error(_db, rc);
            }

            var value = raw.sqlite3_column_int64(_statement, 0);
            while ((rc = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW)
            {
            }

            if (rc != raw.SQLITE_DONE)
            {
                throw Error(_db, rc);
            }

            return value;
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>
    /// Steps a statement that returns rows (a <c>SELECT</c>, or a write with <c>RETURNING</c>): true when a row is ready for
    /// <see cref="GetInt64"/> and <see cref="GetString"/>, false when there are no more (the statement is then reset, so its
    /// parameters can be bound again). Stop early with <see cref="Reset"/>.
    /// </summary>
    /// <remarks>A write with <c>RETURNING</c> makes all its changes on the first step; SQLite returns its rows in no
    /// particular order.</remarks>
    /// <exception cref="SqliteException">SQLite failed (the statement is reset).</exception>
    public bool Read()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        raw.sqlite3_reset(_statement);
        return rc == raw.SQLITE_DONE ? false : throw Error(_db, rc);
    }

    /// <summary>Column <paramref name="column"/> (0-based) of the current row as a 64-bit integer (0 for NULL).</summary>
    public long GetInt64(int column) => raw.sqlite3_column_int64(_statement, column);

    /// <summary>Column <paramref name="column"/> (0-based) of the current row as text, or null for NULL.</summary>
    public string? GetString(int column) =>
        raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL ? null : raw.sqlite3_column_text(_statement, column).utf8_to_string();

    /// <summary>Ends the current run of <see cref="Read"/> early, so the statement can be bound and run again.</summary>
    public void Reset() => raw.sqlite3_reset(_statement);

    /// <inheritdoc />
    public void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw Error(_db, rc);
        }
    }

    private static SqliteException Error(sqlite3 db, int rc) =>
        new(raw.sqlite3_errmsg(db).utf8_to_string() ?? raw.sqlite3_errstr(rc).utf8_to_string(), rc, raw.sqlite3_extended_errcode(db));
}
