using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Migrations;
using Monetization.BuildingBlocks.Data;
using Npgsql;

namespace Monetization.TestKit;

/// <summary>
/// Proves a module's migrations build the same schema as its EF model, per provider (issue 17: one migrations set per
/// provider): one database from <c>Migrate()</c>, one from <c>EnsureCreated()</c>, then compared. SQLite: tables, columns
/// (name, type, nullability, key position) and indexes (columns, uniqueness). PostgreSQL (skipped, with the reason, when
/// no test server is configured): the module's schema's columns (type, length, nullability, default, identity) and
/// index definitions.
/// </summary>
public static class SchemaAssert
{
    /// <summary>Fails with both schemas when migrations and model disagree.</summary>
    /// <param name="contextType">The module's DbContext type (may be internal).</param>
    /// <param name="provider">The provider whose migrations are checked.</param>
    public static Task MigrationsMatchModelAsync(Type contextType, DatabaseProvider provider = DatabaseProvider.Sqlite) =>
        provider == DatabaseProvider.Postgres ? PostgresMigrationsMatchModelAsync(contextType) : SqliteMigrationsMatchModelAsync(contextType);

    private static async Task PostgresMigrationsMatchModelAsync(Type contextType)
    {
        ArgumentNullException.ThrowIfNull(contextType);
        TestDatabases.RequirePostgres();
        var schema = contextType.Name.Replace("DbContext", "", StringComparison.Ordinal).ToLowerInvariant();
        var migrated = "mt_schema_m_" + Guid.NewGuid().ToString("N")[..12];
        var created = "mt_schema_c_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            var migratedConnection = await TestDatabases.CreatePostgresDatabaseAsync(migrated);
            await using (var db = ModuleContexts.Postgres(contextType, migratedConnection, schema))
            {
                await db.Database.MigrateAsync();
            }

            var createdConnection = await TestDatabases.CreatePostgresDatabaseAsync(created);
            await using (var db = ModuleContexts.Postgres(contextType, createdConnection, schema))
            {
                await db.Database.EnsureCreatedAsync();
            }

            var fromMigrations = await DescribePostgresAsync(migratedConnection, schema);
            var fromModel = await DescribePostgresAsync(createdConnection, schema);
            Assert.That(fromModel, Does.Contain("table "), $"EnsureCreated built no table in schema {schema}");
            Assert.That(fromMigrations, Is.EqualTo(fromModel),
                $"PostgreSQL migrations and model of {contextType.Name} differ.\n--- migrations:\n{fromMigrations}\n--- model:\n{fromModel}");
        }
        finally
        {
            await TestDatabases.DropPostgresDatabaseAsync(migrated);
            await TestDatabases.DropPostgresDatabaseAsync(created);
        }
    }

    private static async Task<string> DescribePostgresAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var lines = new List<string>();
        await using (var command = new NpgsqlCommand(
            "SELECT table_name, column_name, data_type, coalesce(character_maximum_length, 0), is_nullable, coalesce(column_default, ''), is_identity "
            + "FROM information_schema.columns WHERE table_schema = $1 AND table_name <> '__EFMigrationsHistory' ORDER BY table_name, column_name", connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = schema });
            await using var reader = await command.ExecuteReaderAsync();
            string? table = null;
            while (await reader.ReadAsync())
            {
                if (reader.GetString(0) != table)
                {
                    table = reader.GetString(0);
                    lines.Add($"table {table}");
                }

                lines.Add($"  column {reader.GetString(1)} {reader.GetString(2)}({reader.GetInt32(3)}) nullable={reader.GetString(4)} default={reader.GetString(5)} identity={reader.GetString(6)}");
            }
        }

        await using (var command = new NpgsqlCommand(
            "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename <> '__EFMigrationsHistory' ORDER BY tablename, indexname", connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = schema });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add($"index {reader.GetString(0)}: {reader.GetString(1)}");
            }
        }

        return string.Join("\n", lines);
    }

    private static async Task SqliteMigrationsMatchModelAsync(Type contextType)
    {
        ArgumentNullException.ThrowIfNull(contextType);
        var directory = Path.Combine(Path.GetTempPath(), "monetization-schema", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var migrated = Path.Combine(directory, "migrated.db");
            var created = Path.Combine(directory, "created.db");
            await using (var db = ModuleContexts.Sqlite(contextType, migrated))
            {
                await db.Database.MigrateAsync();
            }

            await using (var db = ModuleContexts.Sqlite(contextType, created))
            {
                await db.Database.EnsureCreatedAsync();
            }

            var fromMigrations = await DescribeAsync(migrated);
            var fromModel = await DescribeAsync(created);
            Assert.That(fromMigrations, Is.EqualTo(fromModel),
                $"Migrations and model of {contextType.Name} differ.\n--- migrations:\n{fromMigrations}\n--- model:\n{fromModel}");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<string> DescribeAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('__EFMigrationsHistory', '__EFMigrationsLock') ORDER BY name";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var lines = new List<string>();
        foreach (var table in tables)
        {
            lines.Add($"table {table}");
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = $"PRAGMA table_info(\"{table}\")";
                await using var reader = await command.ExecuteReaderAsync();
                var columns = new List<string>();
                while (await reader.ReadAsync())
                {
                    columns.Add($"  column {reader.GetString(1)} {reader.GetString(2).ToUpperInvariant()} notnull={reader.GetInt32(3)} pk={reader.GetInt32(5)}");
                }

                lines.AddRange(columns.Order(StringComparer.Ordinal));
            }

            var indexes = new List<(string Name, bool Unique)>();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = $"PRAGMA index_list(\"{table}\")";
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    if (reader.GetString(3) == "c")
                    {
                        indexes.Add((reader.GetString(1), reader.GetInt32(2) == 1));
                    }
                }
            }

            var described = new List<string>();
            foreach (var (name, unique) in indexes)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = $"PRAGMA index_info(\"{name}\")";
                await using var reader = await command.ExecuteReaderAsync();
                var columns = new List<string>();
                while (await reader.ReadAsync())
                {
                    columns.Add(reader.GetString(2));
                }

                described.Add($"  index ({string.Join(",", columns)}) unique={unique}");
            }

            lines.AddRange(described.Order(StringComparer.Ordinal));
        }

        return string.Join("\n", lines);
    }
}
