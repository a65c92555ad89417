using System.Buffers;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Monetization.BuildingBlocks.Data;

/// <summary>
/// One SQL statement prepared once on an open <see cref="SqliteConnection"/> and executed many times with parameters
/// bound by position (<c>?1</c>, <c>?2</c>, …), through SQLitePCLRaw directly. For hot loops only (usage ingestion runs
/// one per stored event): ADO.NET's <see cref="SqliteCommand"/> looks every parameter up by name in SQLite and allocates
/// a data reader on each execution, which costs more than the insert itself. The statement runs on the connection's
/// native handle, so it belongs to whatever transaction the connection has open (EF Core's included). Binding, stepping
/// and resetting call the native library (<c>e_sqlite3</c>) with the raw statement pointer, referenced once for the
/// statement's life: SQLitePCLRaw's calls take and release a <see cref="SafeHandle"/> reference on every call, 2.4 % of
/// the machine in usage ingestion's profile (issue 22, docs/performance.md, fourteenth session).
/// </summary>
/// <remarks>
/// <para>
/// Not thread-safe (nor is the connection). Dispose it before the connection closes. Errors from SQLite are thrown as
/// <see cref="SqliteException"/> with SQLite's result code and message, as Microsoft.Data.Sqlite would.
/// </para>
/// <para>
/// Prepared statements are kept per physical connection (<see cref="IdleStatements"/>, ADR 0081): disposing one resets it,
/// clears its parameters and keeps it for the next <see cref="Prepare"/> of the same SQL on that connection, so a statement
/// is compiled once per connection rather than once per batch. Compiling them was 5.5 % of the Host's CPU under webhook
/// load (issue 22, docs/performance.md, twenty-second session).
/// </para>
/// </remarks>
public sealed unsafe class SqliteStatement : IDisposable
{
    /// <summary>SQLite copies the bound text before the bind returns (<c>SQLITE_TRANSIENT</c>).</summary>
    private static readonly nint Transient = -1;

    /// <summary>Text up to this many UTF-8 bytes is encoded on the stack before binding; longer text in a pooled array.</summary>
    private const int StackTextBytes = 512;

    /// <summary>Most idle statements kept per connection; past it, a disposed statement is finalized.</summary>
    public const int IdleStatementsPerConnection = 64;

    /// <summary>
    /// Idle prepared statements by SQL, per physical connection (its native handle, which Microsoft.Data.Sqlite's pool keeps
    /// for the connection's life). An idle statement holds no reference on the handle: when the pool closes the connection
    /// (<c>sqlite3_close_v2</c>) SQLite keeps it as a zombie until these statements are finalized, which their own handles do
    /// once the connection's entry here is collected.
    /// </summary>
    private static readonly ConditionalWeakTable<sqlite3, Dictionary<string, sqlite3_stmt>> IdleStatements = new();

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly string _sql;
    private readonly Dictionary<string, sqlite3_stmt> _idle;
    private readonly nint _dbPointer;
    private readonly nint _statementPointer;
    private bool _disposed;

    private SqliteStatement(sqlite3 db, sqlite3_stmt statement, string sql, Dictionary<string, sqlite3_stmt> idle)
    {
        _db = db;
        _statement = statement;
        _sql = sql;
        _idle = idle;

        // Held until Dispose, so the raw pointers stay valid for every call in between.
        var dbAdded = false;
        var statementAdded = false;
        try
        {
            db.DangerousAddRef(ref dbAdded);
            statement.DangerousAddRef(ref statementAdded);
        }
        catch
        {
            if (statementAdded)
            {
                statement.DangerousRelease();
            }

            if (dbAdded)
            {
                db.DangerousRelease();
            }

            throw;
        }

        _dbPointer = db.DangerousGetHandle();
        _statementPointer = statement.DangerousGetHandle();
    }

    /// <summary>
    /// Prepares <paramref name="sql"/> (one statement, positional parameters) on an open SQLite connection, or takes the
    /// connection's idle statement of the same SQL (reset, no parameters bound). SQLite compiles a kept statement again by
    /// itself when the schema has changed since (<c>sqlite3_prepare_v2</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The connection is not an open <see cref="SqliteConnection"/>.</exception>
    /// <exception cref="SqliteException">SQLite refused the SQL.</exception>
    public static SqliteStatement Prepare(DbConnection connection, string sql)
    {
        if (connection is not SqliteConnection sqlite || sqlite.Handle is not sqlite3 db)
        {
            throw new ArgumentException("An open SQLite connection is required.", nameof(connection));
        }

        var idle = IdleStatements.GetValue(db, static _ => new Dictionary<string, sqlite3_stmt>(StringComparer.Ordinal));
        if (!idle.Remove(sql, out var statement))
        {
            var rc = raw.sqlite3_prepare_v2(db, sql, out statement);
            if (rc != raw.SQLITE_OK)
            {
                statement?.Dispose();
                throw Error(db, rc);
            }
        }

        try
        {
            return new SqliteStatement(db, statement, sql, idle);
        }
        catch
        {
            statement.Dispose();
            throw;
        }
    }

    /// <summary>Binds a 64-bit integer to parameter <paramref name="index"/> (1-based).</summary>
    public void Bind(int index, long value) => Check(sqlite3_bind_int64(_statementPointer, index, value));

    /// <summary>Binds a 64-bit integer, or SQL NULL for <see langword="null"/>, to parameter <paramref name="index"/> (1-based).</summary>
    public void Bind(int index, long? value) => Check(value is { } v ? sqlite3_bind_int64(_statementPointer, index, v) : sqlite3_bind_null(_statementPointer, index));

    /// <summary>
    /// Binds text (or SQL NULL for <see langword="null"/>) to parameter <paramref name="index"/> (1-based), encoded as UTF-8
    /// here: the databases are UTF-8, and text bound as UTF-16 is converted by SQLite's byte-at-a-time translator on every
    /// step (<c>sqlite3VdbeMemTranslate</c>, about 1 % of the webhook path's profile with its 2.7 KB payloads; issue 22).
    /// </summary>
    public void Bind(int index, string? value)
    {
        if (value is null)
        {
            Check(sqlite3_bind_null(_statementPointer, index));
            return;
        }

        var maxBytes = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        var buffer = maxBytes <= StackTextBytes ? stackalloc byte[StackTextBytes] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        try
        {
            var length = Encoding.UTF8.GetBytes(value, buffer);

            // Never a null pointer, even for "" (fixed gives the span's start): SQLite would store NULL, not ''.
            fixed (byte* text = buffer)
            {
                Check(sqlite3_bind_text(_statementPointer, index, text, length, Transient));
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Runs a statement that returns no rows; returns the rows it inserted, updated or deleted (<c>sqlite3_changes</c>).</summary>
    /// <exception cref="SqliteException">SQLite failed (a constraint, a busy database after its timeout, …).</exception>
    public int Execute()
    {
        try
        {
            var rc = sqlite3_step(_statementPointer);
            if (rc is not (raw.SQLITE_DONE or raw.SQLITE_ROW))
            {
                throw Error(_db, rc);
            }

            return sqlite3_changes(_dbPointer);
        }
        finally
        {
            sqlite3_reset(_statementPointer);
        }
    }

    /// <summary>Runs a statement that returns one integer (<c>… RETURNING x</c>); <see langword="null"/> when it returned no row.</summary>
    /// <exception cref="SqliteException">SQLite failed.</exception>
    public long? ExecuteScalarInt64()
    {
        try
        {
            var rc = sqlite3_step(_statementPointer);
            if (rc == raw.SQLITE_DONE)
            {
                return null;
            }

            if (rc != raw.SQLITE_ROW)
            {
                throw Error(_db, rc);
            }

            var value = sqlite3_column_int64(_statementPointer, 0);
            while ((rc = sqlite3_step(_statementPointer)) == raw.SQLITE_ROW)
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
            sqlite3_reset(_statementPointer);
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
        var rc = sqlite3_step(_statementPointer);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        sqlite3_reset(_statementPointer);
        return rc == raw.SQLITE_DONE ? false : throw Error(_db, rc);
    }

    /// <summary>Column <paramref name="column"/> (0-based) of the current row as a 64-bit integer (0 for NULL).</summary>
    public long GetInt64(int column) => sqlite3_column_int64(_statementPointer, column);

    /// <summary>Column <paramref name="column"/> (0-based) of the current row as text, or null for NULL.</summary>
    public string? GetString(int column) =>
        IsNull(column) ? null : raw.sqlite3_column_text(_statement, column).utf8_to_string();

    /// <summary>True when column <paramref name="column"/> (0-based) of the current row is NULL.</summary>
    public bool IsNull(int column) => sqlite3_column_type(_statementPointer, column) == raw.SQLITE_NULL;

    /// <summary>Ends the current run of <see cref="Read"/> early, so the statement can be bound and run again.</summary>
    public void Reset() => sqlite3_reset(_statementPointer);

    /// <summary>
    /// Resets the statement and clears its parameters, and keeps it for the next <see cref="Prepare"/> of its SQL on this
    /// connection; finalizes it instead when the connection already keeps one of that SQL, or
    /// <see cref="IdleStatementsPerConnection"/> of any.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        sqlite3_reset(_statementPointer);
        sqlite3_clear_bindings(_statementPointer);
        _statement.DangerousRelease();
        _db.DangerousRelease();
        if (!_db.IsClosed && _idle.Count < IdleStatementsPerConnection && _idle.TryAdd(_sql, _statement))
        {
            return;
        }

        _statement.Dispose();
    }

    /// <summary>
    /// How many idle prepared statements the physical connection under <paramref name="connection"/> keeps for
    /// <see cref="Prepare"/> (0 when it is closed or not SQLite).
    /// </summary>
    public static int IdleStatementCount(DbConnection connection) =>
        connection is SqliteConnection { Handle: { } db } && IdleStatements.TryGetValue(db, out var idle) ? idle.Count : 0;

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw Error(_db, rc);
        }
    }

    private static SqliteException Error(sqlite3 db, int rc) =>
        new(raw.sqlite3_errmsg(db).utf8_to_string() ?? raw.sqlite3_errstr(rc).utf8_to_string(), rc, raw.sqlite3_extended_errcode(db));

    // The same e_sqlite3 library SQLitePCLRaw loaded (as SqliteBusyWait calls it).
    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern int sqlite3_bind_int64(nint statement, int index, long value);

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern int sqlite3_bind_null(nint statement, int index);

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern int sqlite3_bind_text(nint statement, int index, byte* text, int bytes, nint destructor);

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern int sqlite3_step(nint statement);

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern int sqlite3_reset(nint statement);

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern int sqlite3_clear_bindings(nint statement);

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern int sqlite3_changes(nint db);

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern long sqlite3_column_int64(nint statement, int column);

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern int sqlite3_column_type(nint statement, int column);
}
