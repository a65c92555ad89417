using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Data;
using Monetization.BuildingBlocks.Outbox;

namespace Monetization.Architecture.Tests;

/// <summary>
/// The Host's SQLite connections carry none of EF Core's SQL functions for decimals (<c>ef_add</c>, <c>ef_compare</c>,
/// <c>ef_sum</c>, …; <c>SqlitePragmaInterceptor.ConnectionCreating</c>, issue 22), which EF Core uses only for decimal
/// columns. This rule keeps that true: a decimal column would need them back.
/// </summary>
public sealed class SqliteFunctionRulesTests
{
    [Test]
    public void No_module_stores_a_decimal_column_so_no_query_needs_ef_cores_decimal_functions()
    {
        var contexts = BusinessModules.Assemblies.Append(typeof(ModuleDbContext).Assembly)
            .SelectMany(a => a.GetTypes())
            .Where(t => t is { IsAbstract: false, IsClass: true } && typeof(ModuleDbContext).IsAssignableFrom(t))
            .Append(typeof(PlatformDbContext))
            .ToList();
        Assert.That(contexts, Has.Count.GreaterThan(BusinessModules.Assemblies.Length), "every module's DbContext and the platform's are found");

        var decimals = new List<string>();
        foreach (var type in contexts)
        {
            var builder = (DbContextOptionsBuilder)Activator.CreateInstance(typeof(DbContextOptionsBuilder<>).MakeGenericType(type))!;
            builder.UseSqlite("Data Source=:memory:");
            using var db = (DbContext)Activator.CreateInstance(type, builder.Options)!;
            decimals.AddRange(db.Model.GetEntityTypes()
                .SelectMany(e => e.GetProperties().Select(p => (Entity: e, Property: p)))
                .Where(x => StoredType(x.Property) == typeof(decimal))
                .Select(x => $"{type.Name}: {x.Entity.DisplayName()}.{x.Property.Name}"));
        }

        Assert.That(decimals, Is.Empty, "a decimal column needs EF Core's SQLite functions, which the Host's connections leave out (store money as long minor units)");
    }

    /// <summary>The CLR type the column holds (after a value converter), nullable unwrapped.</summary>
    private static Type StoredType(Microsoft.EntityFrameworkCore.Metadata.IProperty property)
    {
        var type = property.GetProviderClrType() ?? property.ClrType;
        return Nullable.GetUnderlyingType(type) ?? type;
    }
}
