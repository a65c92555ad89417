using Microsoft.EntityFrameworkCore;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Monetization.BuildingBlocks.Data;

/// <summary>The storage engines a Host runs on (<c>Database:Provider</c>; issue 17, ADR 0074).</summary>
public enum DatabaseProvider
{
    /// <summary>One SQLite file per module in <c>Database:DataDirectory</c>: the embedded default of <c>dotnet run</c>.</summary>
    Sqlite,

    /// <summary>One PostgreSQL database (<c>ConnectionStrings:Postgres</c>) with one schema per module; several Hosts may share it.</summary>
    Postgres,
}

/// <summary>What storage code needs to know about the database behind a context.</summary>
public static class ModuleDatabases
{
    /// <summary>
    /// The PostgreSQL schema a module owns: its name in lower case (<c>subscriptions</c>, <c>referrals</c>, <c>marketplace</c>,
    /// <c>usage</c>, <c>webhooks</c>, and <c>platform</c> for the Host's own tables).
    /// </summary>
    public static string SchemaOf(string module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.ToLowerInvariant();
    }

    /// <summary>
    /// True when <paramref name="db"/> runs on PostgreSQL. Asked of the context's connection, not of EF Core's
    /// <c>IsNpgsql()</c>: that compares provider names read from assembly metadata on every call, and the webhook writer
    /// asks several times per batch (issue 22, docs/performance.md, eighteenth session).
    /// </summary>
    /// <exception cref="InvalidOperationException">The context's provider is not a relational one.</exception>
    public static bool IsPostgres(this DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Database.GetDbConnection() is NpgsqlConnection;
    }

    /// <summary>True when <paramref name="db"/> runs on SQLite (asked of its connection, as <see cref="IsPostgres"/>).</summary>
    /// <exception cref="InvalidOperationException">The context's provider is not a relational one.</exception>
    public static bool IsSqlite(this DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Database.GetDbConnection() is SqliteConnection;
    }

    /// <summary>
    /// The PostgreSQL schema of a context built with <paramref name="options"/>, or null when they are not PostgreSQL's: the
    /// first entry of the connection's <c>Search Path</c>, which <see cref="Modules.ModuleConnectionStrings"/> sets to the
    /// module's schema, so that EF Core's tables and the raw SQL of the module's stores (unqualified names) name the same
    /// schema; <c>public</c> when the connection string sets none. Read from the options because a context cannot ask its
    /// own <c>Database</c> while its model is being built.
    /// </summary>
    public static string? PostgresSchemaOf(DbContextOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
#pragma warning disable EF1001 // the provider's options extension: the one place its connection string is known before the model exists
        if (options.FindExtension<Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.Internal.NpgsqlOptionsExtension>() is not { } npgsql)
        {
            return null;
        }
#pragma warning restore EF1001

        var searchPath = new NpgsqlConnectionStringBuilder(npgsql.ConnectionString ?? npgsql.Connection?.ConnectionString).SearchPath;
        return string.IsNullOrWhiteSpace(searchPath) ? "public" : searchPath.Split(',')[0].Trim().Trim('"');
    }
}
