using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Internal;

namespace Monetization.BuildingBlocks.Data;

#pragma warning disable EF1001 // MigrationsAssembly is EF Core's own implementation, extended here only to filter what it finds.

/// <summary>
/// Keeps each provider's migrations apart in one module assembly (EF Core supports one migrations set per provider; issue
/// 17, ADR 0074): a migration or model snapshot whose namespace ends in <c>.Postgres</c> belongs to PostgreSQL, every other one
/// to SQLite. Without it, EF Core would apply both sets to either database.
/// </summary>
public sealed class ProviderMigrationsAssembly(
    ICurrentDbContext currentContext,
    IDbContextOptions options,
    IMigrationsIdGenerator idGenerator,
    IDiagnosticsLogger<DbLoggerCategory.Migrations> logger)
    : MigrationsAssembly(currentContext, options, idGenerator, logger)
{
    /// <summary>The namespace suffix of PostgreSQL migrations (<c>Data/Migrations/Postgres</c>).</summary>
    public const string PostgresNamespaceSuffix = ".Postgres";

    private readonly bool _postgres = currentContext.Context.Database.IsNpgsql();
    private IReadOnlyDictionary<string, TypeInfo>? _migrations;

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, TypeInfo> Migrations =>
        _migrations ??= new SortedList<string, TypeInfo>(base.Migrations.Where(m => Mine(m.Value)).ToDictionary(m => m.Key, m => m.Value), StringComparer.Ordinal);

    /// <inheritdoc />
    public override ModelSnapshot? ModelSnapshot => base.ModelSnapshot is { } snapshot && Mine(snapshot.GetType()) ? snapshot : null;

    private bool Mine(Type type) => (type.Namespace?.EndsWith(PostgresNamespaceSuffix, StringComparison.Ordinal) ?? false) == _postgres;
}
