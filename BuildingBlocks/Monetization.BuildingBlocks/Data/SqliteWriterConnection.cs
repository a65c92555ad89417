using System.Collections.Concurrent;
using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Monetization.BuildingBlocks.Data;

/// <summary>
/// Points a context's closed <see cref="SqliteConnection"/> at its database's writer pool while the context holds the
/// <see cref="SqliteWriteGate"/>, until the connection next closes (docs/adr/0078). SQLite drops a connection's whole page
/// cache when another connection has written since its last transaction, and Microsoft.Data.Sqlite pools connections per
/// connection string: writers drawing from the one pool readers use got a different connection, or one whose cache a
/// reader's pages had filled, and read the pages they had just written back from the WAL with one <c>pread</c> each. The
/// writer pool is a second pool group for the same file (the connection string with <c>Pooling=True</c> appended, which
/// changes nothing else). Only the gate's holder opens from it, so it holds one connection, whose cache stays valid from
/// one write to the next. A connection that is already open when its context enters the gate stays as it is.
/// </summary>
internal sealed class SqliteWriterConnection
{
    /// <summary>Writer pool connection string per connection string; null where pooling is off (no pool to keep a cache in).</summary>
    private static readonly ConcurrentDictionary<string, string?> WriterStrings = new(StringComparer.Ordinal);

    private readonly SqliteConnection _connection;
    private readonly string _readerString;
    private int _returned;

    private SqliteWriterConnection(SqliteConnection connection, string readerString)
    {
        _connection = connection;
        _readerString = readerString;
    }

    /// <summary>
    /// Points <paramref name="db"/>'s connection at the writer pool when it is a closed, pooled SQLite connection; otherwise
    /// (PostgreSQL, an open connection, pooling off) changes nothing and returns null.
    /// </summary>
    public static SqliteWriterConnection? Take(DbContext db)
    {
        if (db.Database.GetDbConnection() is not SqliteConnection { State: ConnectionState.Closed } connection)
        {
            return null;
        }

        var readerString = connection.ConnectionString;
        if (WriterStrings.GetOrAdd(readerString, WriterStringOf) is not { } writerString)
        {
            return null;
        }

        var writer = new SqliteWriterConnection(connection, readerString);
        connection.ConnectionString = writerString;
        connection.StateChange += writer.OnStateChange;
        return writer;
    }

    /// <summary>The writer pool's connection string for <paramref name="readerString"/>, or null when it turns pooling off.</summary>
    private static string? WriterStringOf(string readerString) =>
        new SqliteConnectionStringBuilder(readerString).Pooling ? readerString + ";Pooling=True" : null;

    /// <summary>Points the connection back at the shared pool if it is closed (never opened under the gate, or closed already).</summary>
    public void ReturnIfClosed()
    {
        if (_connection.State == ConnectionState.Closed)
        {
            Return();
        }
    }

    private void OnStateChange(object? sender, StateChangeEventArgs e)
    {
        if (e.CurrentState == ConnectionState.Closed)
        {
            Return(); // its native connection went back to the writer pool
        }
    }

    private void Return()
    {
        if (Interlocked.Exchange(ref _returned, 1) == 0)
        {
            _connection.StateChange -= OnStateChange;
            _connection.ConnectionString = _readerString;
        }
    }
}
