using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Migrations;
using Monetization.BuildingBlocks.Data;
using Npgsql;

namespace Monetization.TestKit;

/// <summary>
/// A module's <see cref="DbContext"/> built outside a Host, as the Host's migrator sees it (only that provider's migrations,
/// <see cref="ProviderMigrationsAssembly"/>; the module's PostgreSQL schema and its own history table there), for tests
/// that migrate a database step by step or compare it with the model.
/// </summary>
public static class ModuleContexts
{
    /// <summary>A context of <paramref name="contextType"/> on the SQLite file <paramref name="file"/>; the caller disposes it.</summary>
    public static DbContext Sqlite(Type contextType, string file)
    {
        var builderType = typeof(DbContextOptionsBuilder<>).MakeGenericType(contextType);
        var builder = (DbContextOptionsBuilder)Activator.CreateInstance(builderType)!;
        builder.UseSqlite($"Data Source={file}").ReplaceService<IMigrationsAssembly, ProviderMigrationsAssembly>()
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        return (DbContext)Activator.CreateInstance(contextType, builder.Options)!;
    }

    /// <summary>A context of <paramref name="contextType"/> on a PostgreSQL database, in <paramref name="schema"/>; the caller disposes it.</summary>
    public static DbContext Postgres(Type contextType, string connectionString, string schema)
    {
        var builderType = typeof(DbContextOptionsBuilder<>).MakeGenericType(contextType);
        var builder = (DbContextOptionsBuilder)Activator.CreateInstance(builderType)!;
        builder.UseNpgsql(new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema }.ConnectionString,
                npgsql => npgsql.MigrationsHistoryTable("__EFMigrationsHistory", schema))
            .ReplaceService<IMigrationsAssembly, ProviderMigrationsAssembly>()
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        return (DbContext)Activator.CreateInstance(contextType, builder.Options)!;
    }
}
