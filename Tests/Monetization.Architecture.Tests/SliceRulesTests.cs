using System.Reflection;
using MediatR;
using Mono.Cecil;
using Mono.Cecil.Cil;
using NetArchTest.Rules;

namespace Monetization.Architecture.Tests;

/// <summary>
/// Issue 21: slices read like the design card. Storage tricks (raw SQL, prepared statements, the SQLite write gate) live
/// in a module's <c>Data/</c> stores or in BuildingBlocks, and every slice is wrapped the same way.
/// </summary>
public sealed class SliceRulesTests
{
    private static readonly Assembly[] Modules = BusinessModules.Assemblies;

    /// <summary>Namespaces where storage code belongs: a module's <c>Data</c> (and its migrations).</summary>
    private const string DataNamespace = @"\.Data(\.|$)";

    private static IEnumerable<Assembly> ModuleAssemblies() => Modules;

    [TestCaseSource(nameof(ModuleAssemblies))]
    public void Raw_SQL_and_the_write_gate_are_used_only_in_the_module_Data_folder(Assembly module)
    {
        var result = Types.InAssembly(module).That().DoNotResideInNamespaceMatching(DataNamespace)
            .Should().MeetCustomRule(new UsesNoStorageTricks()).GetResult();
        Assert.That(result.FailingTypeNames ?? [], Is.Empty,
            "Raw SQL (FromSqlRaw, SqlQueryRaw, ExecuteSql…, commands), SqliteStatement and the write gate belong in a store under the module's Data/ (issue 21)");
    }

    [Test]
    public void Host_uses_no_raw_SQL_or_write_gate_either()
    {
        var result = Types.InAssembly(typeof(Program).Assembly)
            .Should().MeetCustomRule(new UsesNoStorageTricks()).GetResult();
        Assert.That(result.FailingTypeNames ?? [], Is.Empty);
    }

    [Test]
    public void The_storage_rule_catches_raw_SQL_the_gate_and_commands_even_inside_async_methods_and_lambdas()
    {
        var rule = new UsesNoStorageTricks();
        var fixtures = Types.InAssembly(typeof(SliceRulesTests).Assembly).That().ResideInNamespace(typeof(Fixtures.UsesTheWriteGate).Namespace)
            .And().AreNotNested().GetTypes().ToDictionary(t => t.Name);
        var failing = Types.InAssembly(typeof(SliceRulesTests).Assembly).That().ResideInNamespace(typeof(Fixtures.UsesTheWriteGate).Namespace)
            .And().AreNotNested().Should().MeetCustomRule(rule).GetResult().FailingTypeNames ?? [];
        Assert.That(fixtures.Keys, Is.SupersetOf(new[] { nameof(Fixtures.UsesTheWriteGate), nameof(Fixtures.UsesFromSqlRaw), nameof(Fixtures.CreatesACommand), nameof(Fixtures.UsesLinqOnly) }));
        Assert.That(failing.Select(n => n[(n.LastIndexOf('.') + 1)..]), Is.EquivalentTo(new[] { nameof(Fixtures.UsesTheWriteGate), nameof(Fixtures.UsesFromSqlRaw), nameof(Fixtures.CreatesACommand) }));
    }

    /// <summary>
    /// One visibility rule for slice wrappers (issue 21): a slice is the static class that holds a request and its handler;
    /// it is internal to its module (the module's public surface is its <c>IModule</c> class), and every request handler is
    /// nested in one.
    /// </summary>
    [TestCaseSource(nameof(ModuleAssemblies))]
    public void Every_slice_is_an_internal_static_class_holding_its_request_and_handler(Assembly module)
    {
        var handlers = module.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequestHandler<,>)))
            .ToList();
        Assert.That(handlers, Is.Not.Empty);
        var notInASlice = handlers.Where(h => h.DeclaringType is not { IsAbstract: true, IsSealed: true } || !h.Namespace!.Contains(".Features.", StringComparison.Ordinal))
            .Select(h => h.FullName).ToList();
        Assert.That(notInASlice, Is.Empty, "request handlers are nested in a static slice class under Features/");

        var slices = handlers.Select(h => h.DeclaringType!).Distinct().ToList();
        var visible = slices.Where(s => s.IsPublic).Select(s => s.FullName).ToList();
        Assert.That(visible, Is.Empty, "slice classes are internal");
        var withoutRequest = slices.Where(s => !s.GetNestedTypes(BindingFlags.NonPublic | BindingFlags.Public)
            .Any(n => n.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequest<>)))).Select(s => s.FullName).ToList();
        Assert.That(withoutRequest, Is.Empty, "each slice holds its request beside its handler");
    }

    /// <summary>Fails a type (with its nested types: async state machines, lambdas) that calls a storage trick.</summary>
    private sealed class UsesNoStorageTricks : ICustomRule
    {
        private static readonly HashSet<string> ForbiddenTypes =
        [
            "Monetization.BuildingBlocks.Data.SqliteWriteGate",
            "Monetization.BuildingBlocks.Data.SqliteStatement",
            "System.Data.Common.DbCommand",
            "Microsoft.Data.Sqlite.SqliteCommand",
        ];

        private static readonly HashSet<string> ForbiddenMethods =
        [
            "Monetization.BuildingBlocks.Data.WriteTransaction::BeginAsync",
            "Microsoft.EntityFrameworkCore.RelationalQueryableExtensions::FromSqlRaw",
            "Microsoft.EntityFrameworkCore.RelationalQueryableExtensions::FromSql",
            "Microsoft.EntityFrameworkCore.RelationalQueryableExtensions::FromSqlInterpolated",
            "Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions::ExecuteSqlRaw",
            "Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions::ExecuteSqlRawAsync",
            "Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions::ExecuteSql",
            "Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions::ExecuteSqlAsync",
            "Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions::ExecuteSqlInterpolated",
            "Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions::ExecuteSqlInterpolatedAsync",
            "Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions::SqlQueryRaw",
            "Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions::SqlQuery",
            "Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions::GetDbConnection",
            "System.Data.Common.DbConnection::CreateCommand",
            "System.Data.IDbConnection::CreateCommand",
            "Microsoft.Data.Sqlite.SqliteConnection::CreateCommand",
        ];

        public bool MeetsRule(TypeDefinition type) => !Uses(type);

        private static bool Uses(TypeDefinition type) =>
            type.Methods.Where(m => m.HasBody).SelectMany(m => m.Body.Instructions).Any(IsForbidden) || type.NestedTypes.Any(Uses);

        private static bool IsForbidden(Instruction instruction) => instruction.Operand switch
        {
            MethodReference method => IsForbiddenType(method.DeclaringType) || ForbiddenMethods.Contains(method.DeclaringType.GetElementType().FullName + "::" + method.Name),
            TypeReference t => IsForbiddenType(t),
            _ => false,
        };

        /// <summary>A forbidden type or one nested in it (<c>SqliteWriteGate.Lease</c>).</summary>
        private static bool IsForbiddenType(TypeReference type)
        {
            var name = type.GetElementType().FullName.Replace('/', '.');
            return ForbiddenTypes.Any(f => name == f || name.StartsWith(f + ".", StringComparison.Ordinal));
        }
    }
}
