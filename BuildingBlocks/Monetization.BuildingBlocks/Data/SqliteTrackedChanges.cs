using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Monetization.BuildingBlocks.Data;

/// <summary>
/// Writes a context's tracked changes on SQLite with statements prepared once per entity type and save: one full-row
/// <c>UPDATE</c> by key per modified entity, then one <c>INSERT</c> per added entity, then the changes are accepted as
/// EF Core's <c>SaveChanges</c> accepts them. EF Core generates, and SQLite compiles, an <c>UPDATE</c> of the modified
/// columns or an <c>INSERT … RETURNING</c> for every entity of every save, and sorts the commands first; in a webhook
/// batch that was most of the time its <c>SaveChanges</c> took (issue 22, docs/performance.md, twenty-first session).
/// </summary>
/// <remarks>
/// Only inside an open transaction (the caller's), and only when every change is an added or modified entity of a type
/// <see cref="SqliteEntityMap"/> maps as writable (no store-generated value, no concurrency token, no foreign key);
/// otherwise <see cref="TrySave"/> writes nothing and returns null, and the caller saves through EF Core. Modified rows
/// go first, so a unique value (a Stripe customer id) that one row gives up can be taken by a new one in the same save.
/// </remarks>
internal static class SqliteTrackedChanges
{
    /// <summary>
    /// Writes the tracked changes (after a change scan, if the context scans automatically) and, when
    /// <paramref name="acceptAllChangesOnSuccess"/>, marks them saved; returns the number of rows written, or null when
    /// the changes are not all ones this writes (nothing was written).
    /// </summary>
    /// <exception cref="DbUpdateConcurrencyException">A modified entity's row is no longer there (no row updated), as EF Core reports it.</exception>
    /// <exception cref="DbUpdateException">SQLite refused a row (a constraint); the inner exception is SQLite's.</exception>
    public static int? TrySave(DbContext db, bool acceptAllChangesOnSuccess)
    {
        if (db.Database.CurrentTransaction is null)
        {
            return null;
        }

        var modified = new List<(EntityEntry Entry, SqliteEntityMap Map)>();
        var added = new List<(EntityEntry Entry, SqliteEntityMap Map)>();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached)
            {
                continue;
            }

            if (entry.State is EntityState.Deleted || SqliteEntityMap.Of(entry.Metadata) is not { Writable: true } map)
            {
                return null;
            }

            (entry.State == EntityState.Added ? added : modified).Add((entry, map));
        }

        if (modified.Count + added.Count == 0)
        {
            return 0;
        }

        var connection = db.Database.GetDbConnection();
        Write(connection, modified, static map => map.Update, expectOneRow: true);
        Write(connection, added, static map => map.Insert, expectOneRow: false);
        if (acceptAllChangesOnSuccess)
        {
            db.ChangeTracker.AcceptAllChanges();
        }

        return modified.Count + added.Count;
    }

    private static void Write(System.Data.Common.DbConnection connection, List<(EntityEntry Entry, SqliteEntityMap Map)> changes, Func<SqliteEntityMap, string> sqlOf, bool expectOneRow)
    {
        SqliteEntityMap? current = null;
        SqliteStatement? statement = null;
        try
        {
            foreach (var (entry, map) in changes.OrderBy(c => c.Map.Table, StringComparer.Ordinal))
            {
                if (!ReferenceEquals(map, current))
                {
                    statement?.Dispose();
                    statement = SqliteStatement.Prepare(connection, sqlOf(map));
                    current = map;
                }

                map.BindAll(statement!, entry.Entity);
                int rows;
                try
                {
                    rows = statement!.Execute();
                }
                catch (SqliteException e)
                {
                    throw new DbUpdateException($"Saving {entry.Metadata.DisplayName()} {string.Join(", ", map.KeyOf(entry.Entity))} failed: {e.Message}", e, (IReadOnlyList<EntityEntry>)[entry]);
                }

                if (expectOneRow && rows != 1)
                {
                    throw new DbUpdateConcurrencyException(
                        $"{entry.Metadata.DisplayName()} {string.Join(", ", map.KeyOf(entry.Entity))} was expected to update 1 row but updated {rows}.");
                }
            }
        }
        finally
        {
            statement?.Dispose();
        }
    }
}
