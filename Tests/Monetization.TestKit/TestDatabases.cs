using System.Security.Cryptography;
using System.Text;
using Monetization.BuildingBlocks.Data;
using Npgsql;

namespace Monetization.TestKit;

/// <summary>
/// The provider the test Hosts run on (issue 17): <c>MONETIZATION_TEST_PROVIDER</c> = <c>Sqlite</c> (default) or <c>Postgres</c>,
/// and the PostgreSQL server for it, <c>MONETIZATION_TEST_POSTGRES</c> (a connection string of a user that may create
/// databases; <c>.ci/run</c> starts a throwaway cluster and sets both for its PostgreSQL pass). Each Host gets a database of
/// its own, created on first use and dropped with the factory.
/// </summary>
public static class TestDatabases
{
    /// <summary>The connection string of the test PostgreSQL server, or null when none is configured.</summary>
    public static string? PostgresServer => Environment.GetEnvironmentVariable("MONETIZATION_TEST_POSTGRES") is { Length: > 0 } server ? server : null;

    /// <summary>The provider of the factories' Hosts.</summary>
    /// <exception cref="InvalidOperationException">Postgres is asked for without <c>MONETIZATION_TEST_POSTGRES</c>, or the name is unknown.</exception>
    public static DatabaseProvider Provider { get; } = ReadProvider();

    /// <summary>Skips the calling test, with the reason, when no PostgreSQL server is configured.</summary>
    public static string RequirePostgres()
    {
        if (PostgresServer is not { } server)
        {
            Assert.Ignore("No PostgreSQL server: set MONETIZATION_TEST_POSTGRES (.ci/run starts one and sets it).");
            return "";
        }

        return server;
    }

    /// <summary>A database name derived from <paramref name="key"/> (a Host's data directory): the same key, the same database.</summary>
    public static string DatabaseNameFor(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return "mt_" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..24].ToLowerInvariant();
    }

    /// <summary>Creates database <paramref name="name"/> on the test server unless it exists; returns its connection string.</summary>
    public static async Task<string> CreatePostgresDatabaseAsync(string name)
    {
        var server = PostgresServer ?? throw new InvalidOperationException("MONETIZATION_TEST_POSTGRES is not set.");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = name } } };
            if (await exists.ExecuteScalarAsync() is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                await create.ExecuteNonQueryAsync();
            }
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    /// <summary>
    /// Creates database <paramref name="to"/> as a copy of <paramref name="from"/> (<c>CREATE DATABASE … TEMPLATE</c>; the source
    /// must have no open connection, so the pools are cleared first).
    /// </summary>
    public static async Task ClonePostgresDatabaseAsync(string from, string to)
    {
        var server = PostgresServer ?? throw new InvalidOperationException("MONETIZATION_TEST_POSTGRES is not set.");
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var clone = new NpgsqlCommand($"CREATE DATABASE \"{to}\" TEMPLATE \"{from}\"", connection);
        await clone.ExecuteNonQueryAsync();
    }

    /// <summary>Drops database <paramref name="name"/> (closing its connections first); a missing one is fine.</summary>
    public static async Task DropPostgresDatabaseAsync(string name)
    {
        if (PostgresServer is not { } server)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static DatabaseProvider ReadProvider()
    {
        var name = Environment.GetEnvironmentVariable("MONETIZATION_TEST_PROVIDER");
        if (string.IsNullOrEmpty(name))
        {
            return DatabaseProvider.Sqlite;
        }

        if (!Enum.TryParse<DatabaseProvider>(name, ignoreCase: true, out var provider))
        {
            throw new InvalidOperationException($"MONETIZATION_TEST_PROVIDER '{name}' is neither Sqlite nor Postgres.");
        }

        if (provider == DatabaseProvider.Postgres && PostgresServer is null)
        {
            throw new InvalidOperationException("MONETIZATION_TEST_PROVIDER is Postgres but MONETIZATION_TEST_POSTGRES is not set.");
        }

        return provider;
    }
}
