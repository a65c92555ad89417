using System.Globalization;
using Npgsql;

namespace Monetization.Bench;

/// <summary>The database provider the Hosts of a run use (issue 17): the embedded SQLite files, or one PostgreSQL database.</summary>
internal enum BenchProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The database of one Host run. SQLite: nothing to make (the Hosts write files into their data directory).
/// PostgreSQL: a fresh database <c>bench_{label}_{random}</c> on the cluster <see cref="BenchSettings.PostgresConnectionString"/>
/// names, handed to every Host of the run as <c>Database__Provider=Postgres</c> and <c>ConnectionStrings__Postgres</c>,
/// and dropped at the end unless <c>--keep-data</c>.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly BenchSettings _settings;

    private BenchDatabase(BenchSettings settings, string? database, string? connectionString)
    {
        _settings = settings;
        DatabaseName = database;
        ConnectionString = connectionString;
    }

    /// <summary>The PostgreSQL database's name; null on SQLite.</summary>
    public string? DatabaseName { get; }

    /// <summary>The connection string of the run's PostgreSQL database; null on SQLite.</summary>
    public string? ConnectionString { get; }

    public bool IsPostgres => ConnectionString is not null;

    /// <summary>
    /// What a Host of the run is started with: <paramref name="settings"/> (the scenario's own) plus, on PostgreSQL, the
    /// run's database (<c>Database__Provider</c>, <c>ConnectionStrings__Postgres</c>).
    /// </summary>
    public Dictionary<string, string> HostEnvironment(IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>(settings ?? new Dictionary<string, string>());
        if (ConnectionString is not null)
        {
            environment["Database__Provider"] = "Postgres";
            environment["ConnectionStrings__Postgres"] = ConnectionString;
        }

        return environment;
    }

    /// <summary>Makes the run's database (PostgreSQL: <c>CREATE DATABASE</c>; SQLite: nothing).</summary>
    public static async Task<BenchDatabase> CreateAsync(BenchSettings settings, string label, CancellationToken ct)
    {
        if (settings.Provider == BenchProvider.Sqlite)
        {
            return new BenchDatabase(settings, null, null);
        }

        var name = string.Create(CultureInfo.InvariantCulture, $"bench_{label.Replace('-', '_')}_{Guid.NewGuid().ToString("N")[..8]}");
        await using (var admin = new NpgsqlConnection(settings.PostgresConnectionString))
        {
            await admin.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync(ct);
        }

        var connectionString = new NpgsqlConnectionStringBuilder(settings.PostgresConnectionString) { Database = name }.ConnectionString;
        return new BenchDatabase(settings, name, connectionString);
    }

    /// <summary>Drops the PostgreSQL database (with its open connections) unless the run keeps its data.</summary>
    public async ValueTask DisposeAsync()
    {
        if (DatabaseName is null)
        {
            return;
        }

        if (_settings.KeepData)
        {
            Console.WriteLine($"kept PostgreSQL database {DatabaseName}");
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_settings.PostgresConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
