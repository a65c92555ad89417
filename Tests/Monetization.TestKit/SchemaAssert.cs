using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Monetization.TestKit;

/// <summary>
/// Proves a module's hand-written migrations build the same SQLite schema as its EF model (there is no EF Design
/// package here, so no snapshot): one database from <c>Migrate()</c>, one from <c>EnsureCreated()</c>, then tables,
/// columns (name, type, nullability, key position) and indexes (columns, uniqueness) are compared.
/// </summary>
public static class SchemaAssert
{
    /// <summary>Fails with both schemas when migrations and model disagree.</summary>
    /// <param name="contextType">The module's DbContext type (may be internal).</param>
    public static async Task MigrationsMatchModelAsync(Type contextType)
    {
        ArgumentNullException.ThrowIfNull(contextType);
        var directory = Path.Combine(Path.GetTempPath(), "monetization-schema", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var migrated = Path.Combine(directory, "migrated.db");
            var created = Path.Combine(directory, "created.db");
            await using (var db = Create(contextType, migrated))
            {
                await db.Database.MigrateAsync();
            }

            await using (var db = Create(contextType, created))
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

    private static DbContext Create(Type contextType, string file)
    {
        var builderType = typeof(DbContextOptionsBuilder<>).MakeGenericType(contextType);
        var builder = (DbContextOptionsBuilder)Activator.CreateInstance(builderType)!;
        builder.UseSqlite($"Data Source={file}").ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        return (DbContext)Activator.CreateInstance(contextType, builder.Options)!;
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
