using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Data;

// Types the storage rule of SliceRulesTests must fail (and one it must pass), so the rule is known to see what it forbids.
namespace Monetization.Architecture.Tests.Fixtures;

/// <summary>Enters the write gate inside an async method (the call sits in the compiler's state machine).</summary>
internal sealed class UsesTheWriteGate
{
    public static async Task WriteAsync(DbContext db)
    {
        using (await SqliteWriteGate.EnterAsync(db, CancellationToken.None))
        {
            await db.SaveChangesAsync();
        }
    }
}

/// <summary>Raw SQL through EF Core, inside a lambda.</summary>
internal sealed class UsesFromSqlRaw
{
    public static Func<DbSet<Row>, IQueryable<Row>> Query { get; } = rows => rows.FromSqlRaw("SELECT * FROM Rows");

    /// <summary>A row.</summary>
    public sealed class Row
    {
        public int Id { get; set; }
    }
}

/// <summary>An ADO.NET command on the context's connection.</summary>
internal sealed class CreatesACommand
{
    public static int Count(DbContext db)
    {
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "SELECT 1";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>LINQ and SaveChanges only: allowed anywhere.</summary>
internal sealed class UsesLinqOnly
{
    public static Task<int> CountAsync(DbSet<UsesFromSqlRaw.Row> rows) => rows.CountAsync(r => r.Id > 0);
}
