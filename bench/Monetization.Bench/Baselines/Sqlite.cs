using Microsoft.Data.Sqlite;

namespace Monetization.Bench.Baselines;

/// <summary>SQLite the way the Host opens it: pooled connections, WAL (persistent), synchronous=NORMAL per connection.</summary>
internal static class Sqlite
{
    public static string ConnectionString(string file) => new SqliteConnectionStringBuilder
    {
        DataSource = file,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public static async Task<SqliteConnection> OpenAsync(string connectionString, CancellationToken ct)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        await ExecuteAsync(connection, "PRAGMA synchronous=NORMAL;", ct);
        return connection;
    }

    public static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Creates the file in WAL mode and runs <paramref name="schema"/>.</summary>
    public static async Task CreateAsync(string connectionString, string schema, CancellationToken ct)
    {
        await using var connection = await OpenAsync(connectionString, ct);
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", ct);
        await ExecuteAsync(connection, schema, ct);
    }
}
