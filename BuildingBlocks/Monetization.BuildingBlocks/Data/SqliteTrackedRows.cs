using System.Collections.Concurrent;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Monetization.BuildingBlocks.Data;

/// <summary>
/// Loads rows of an entity type's table on SQLite through one prepared <see cref="SqliteStatement"/> and starts tracking
/// them in the context as unchanged, as a tracking EF Core query would, but without EF Core's query pipeline. A write
/// batch that preloads what it will change (the webhook intake: accounts, invoices, first-paid markers, three queries per
/// batch) spent more in that pipeline than in reading the rows: building the query's expression, looking it up in the
/// query cache, processing its raw SQL's parameters and creating a command and a data reader each time (issue 22,
/// docs/performance.md, twenty-first session). The columns, their value converters and the property setters come from
/// the context's model, read once per entity type.
/// </summary>
/// <remarks>
/// Reads what the model maps to the table: every property needs a CLR property with a setter, and a column whose stored
/// type is text or an integer (a <c>long</c>, <c>int</c> or <c>bool</c> after the property's value converter, such as
/// <c>UtcTicksConverter</c>). For any other entity type <see cref="Supports"/> is false, and the caller uses EF Core's
/// query instead. A row whose key the context already tracks is answered with the tracked instance, unchanged, as EF
/// Core's identity resolution would.
/// </remarks>
/// <typeparam name="T">The entity type.</typeparam>
public static class SqliteTrackedRows<T>
    where T : class
{
    private static readonly ConcurrentDictionary<IEntityType, Shape?> Shapes = new();

    /// <summary>True when <typeparamref name="T"/>'s mapping can be read by <see cref="Load"/> (see the remarks on the class).</summary>
    public static bool Supports(DbContext db) => ShapeOf(db) is not null;

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
        var shape = ShapeOf(db) ?? throw new NotSupportedException($"{typeof(T).Name}'s mapping is not read by {"SqliteTrackedRows"}.");
        var rows = new List<T>();
        using var statement = SqliteStatement.Prepare(db.Database.GetDbConnection(), shape.Select + where);
        for (var i = 0; i < parameters.Length; i++)
        {
            statement.Bind(i + 1, parameters[i]);
        }

        var local = db.Set<T>().Local;
        while (statement.Read())
        {
            var entity = shape.Create();
            for (var c = 0; c < shape.Columns.Length; c++)
            {
                shape.Columns[c](entity, statement, c);
            }

            if (local.FindEntryUntyped(shape.KeyOf(entity)) is { } tracked)
            {
                rows.Add(tracked.Entity);
                continue;
            }

            db.Entry(entity).State = EntityState.Unchanged;
            rows.Add(entity);
        }

        return rows;
    }

    private static Shape? ShapeOf(DbContext db)
    {
        var entityType = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in {db.GetType().Name}'s model.");
        return Shapes.GetOrAdd(entityType, Shape.TryCreate);
    }

    /// <summary>How a row of the table becomes an entity: the <c>SELECT</c>, one reader per column, the key.</summary>
    private sealed class Shape(string select, Func<T> create, Action<T, SqliteStatement, int>[] columns, Func<T, object?>[] key)
    {
        public string Select { get; } = select;

        public Func<T> Create { get; } = create;

        public Action<T, SqliteStatement, int>[] Columns { get; } = columns;

        public object?[] KeyOf(T entity) => Array.ConvertAll(key, k => k(entity));

        public static Shape? TryCreate(IEntityType entityType)
        {
            if (entityType.GetTableName() is not { } table || typeof(T).GetConstructor(Type.EmptyTypes) is not { } constructor
                || entityType.FindPrimaryKey() is not { } primaryKey)
            {
                return null;
            }

            var names = new List<string>();
            var columns = new List<Action<T, SqliteStatement, int>>();
            foreach (var property in entityType.GetProperties())
            {
                if (property.GetColumnName() is not { } column || Reader(property) is not { } reader)
                {
                    return null;
                }

                names.Add("\"" + column + "\"");
                columns.Add(reader);
            }

            var key = new List<Func<T, object?>>();
            foreach (var property in primaryKey.Properties)
            {
                if (property.PropertyInfo?.GetMethod is not { } getter)
                {
                    return null;
                }

                var target = Expression.Parameter(typeof(T), "entity");
                key.Add(Expression.Lambda<Func<T, object?>>(Expression.Convert(Expression.Call(target, getter), typeof(object)), target).Compile());
            }

            var create = Expression.Lambda<Func<T>>(Expression.New(constructor)).Compile();
            return new Shape($"SELECT {string.Join(", ", names)} FROM \"{table}\" WHERE ", create, [.. columns], [.. key]);
        }

        /// <summary>Reads the column into the property (through its value converter), or null when the mapping is not one this reads.</summary>
        private static Action<T, SqliteStatement, int>? Reader(IProperty property)
        {
            if (property.PropertyInfo?.SetMethod is not { } setter)
            {
                return null;
            }

            var converter = property.GetTypeMapping().Converter;
            var stored = Nullable.GetUnderlyingType(converter?.ProviderClrType ?? property.ClrType) ?? converter?.ProviderClrType ?? property.ClrType;
            Func<SqliteStatement, int, object> read;
            if (stored == typeof(string))
            {
                read = static (s, c) => s.GetString(c)!;
            }
            else if (stored == typeof(long))
            {
                read = static (s, c) => s.GetInt64(c);
            }
            else if (stored == typeof(int))
            {
                read = static (s, c) => checked((int)s.GetInt64(c));
            }
            else if (stored == typeof(bool))
            {
                read = static (s, c) => s.GetInt64(c) != 0;
            }
            else
            {
                return null;
            }

            var fromStore = converter?.ConvertFromProvider;
            var target = Expression.Parameter(typeof(T), "entity");
            var value = Expression.Parameter(typeof(object), "value");
            var set = Expression.Lambda<Action<T, object?>>(Expression.Call(target, setter, Expression.Convert(value, property.ClrType)), target, value).Compile();
            return (entity, statement, column) =>
            {
                if (statement.IsNull(column))
                {
                    set(entity, null);
                    return;
                }

                var stored = read(statement, column);
                set(entity, fromStore is null ? stored : fromStore(stored));
            };
        }
    }
}
