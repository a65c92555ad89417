using Microsoft.EntityFrameworkCore;

namespace Monetization.BuildingBlocks.Data;

/// <summary>
/// Loads rows of an entity type's table on SQLite through one prepared <see cref="SqliteStatement"/> and starts tracking
/// them in the context as unchanged, as a tracking EF Core query would, but without EF Core's query pipeline. A write
/// batch that preloads what it will change (the webhook intake: accounts, invoices, first-paid markers, three queries per
/// batch) spent more in that pipeline than in reading the rows: building the query's expression, looking it up in the
/// query cache, processing its raw SQL's parameters and creating a command and a data reader each time (issue 22,
/// docs/performance.md, twenty-first session). The columns, their value converters and the property setters come from
/// the context's model, read once per entity type (<see cref="SqliteEntityMap"/>).
/// </summary>
/// <remarks>
/// Reads what the model maps to the table: every property needs a CLR property with a getter and a setter, and a column
/// whose stored type is text or an integer (a <c>long</c>, <c>int</c> or <c>bool</c> after the property's value
/// converter, such as <c>UtcTicksConverter</c>). For any other entity type <see cref="Supports"/> is false and
/// <see cref="Load"/> throws. A row whose key the context already tracks is answered with the tracked instance, unchanged,
/// as EF Core's identity resolution would.
/// </remarks>
/// <typeparam name="T">The entity type.</typeparam>
public static class SqliteTrackedRows<T>
    where T : class
{
    /// <summary>True when <typeparamref name="T"/>'s mapping can be read by <see cref="Load"/> (see the remarks on the class).</summary>
    public static bool Supports(DbContext db) => MapOf(db) is not null;

    /// <summary>
    /// True when a save with <see cref="Outbox.ModuleDbContext.SaveWithPreparedStatements"/> writes <typeparamref name="T"/>'s
    /// added and modified entities itself (<see cref="SqliteTrackedChanges"/>): the type is read this way and has no
    /// store-generated value, concurrency token or foreign key.
    /// </summary>
    public static bool SavesDirectly(DbContext db) => MapOf(db) is { Writable: true };

    /// <summary>
    /// Runs <c>SELECT</c> (the mapped columns) <c>FROM</c> (the table) <c> WHERE </c><paramref name="where"/> with
    /// <paramref name="parameters"/> bound as text to <c>?1</c>, <c>?2</c>, …, on the context's open connection (inside
    /// its transaction, if one is open), and returns the rows as tracked, unchanged entities.
    /// </summary>
    /// <param name="db">A context whose connection is an open SQLite connection.</param>
    /// <param name="where">A constant SQL condition with positional parameters; never built from input.</param>
    /// <param name="parameters">The text parameters, in order.</param>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not readable this way (<see cref="Supports"/> is false).</exception>
    /// <exception cref="ArgumentException">The connection is not an open SQLite connection.</exception>
    /// <exception cref="Microsoft.Data.Sqlite.SqliteException">SQLite refused the statement.</exception>
    public static List<T> Load(DbContext db, string where, params string?[] parameters)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(parameters);
        var map = MapOf(db) ?? throw new NotSupportedException($"{typeof(T).Name}'s mapping is not read by SqliteTrackedRows.");
        var rows = new List<T>();
        using var statement = SqliteStatement.Prepare(db.Database.GetDbConnection(), map.SelectAll + where);
        for (var i = 0; i < parameters.Length; i++)
        {
            statement.Bind(i + 1, parameters[i]);
        }

        var local = db.Set<T>().Local;
        while (statement.Read())
        {
            var entity = (T)map.Create();
            for (var c = 0; c < map.Columns.Length; c++)
            {
                map.Columns[c].Read(entity, statement, c);
            }

            if (local.FindEntryUntyped(map.KeyOf(entity)) is { } tracked)
            {
                rows.Add(tracked.Entity);
                continue;
            }

            db.Entry(entity).State = EntityState.Unchanged;
            rows.Add(entity);
        }

        return rows;
    }

    private static SqliteEntityMap? MapOf(DbContext db) =>
        SqliteEntityMap.Of(db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in {db.GetType().Name}'s model."));
}
