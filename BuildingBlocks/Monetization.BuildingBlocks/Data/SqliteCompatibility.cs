using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace Monetization.BuildingBlocks.Data;

/// <summary>
/// The SQLite compatibility shim of shared/PACKAGES.md: Microsoft.Data.Sqlite 10 is compiled against SQLitePCLRaw 2.1.x,
/// but the registry only has SQLitePCLRaw 2.0.6. .NET refuses to bind the 2.1 reference to the 2.0.6 assembly, so this
/// resolver hands out the 2.0.6 file that ships beside the application for any <c>SQLitePCLRaw.*</c> request, then
/// initialises the bundled native library once. It runs from a module initializer, so no entry point can forget it.
/// Never call <c>SqliteConnection.LoadExtension</c>: it is the one member 2.0.6 lacks. Delete this file when the
/// registry gains SQLitePCLRaw 2.1.
/// </summary>
public static class SqliteCompatibility
{
    private static int _installed;

    /// <summary>True once the resolver is installed and <c>Batteries_V2.Init()</c> has run.</summary>
    public static bool IsInstalled => Volatile.Read(ref _installed) == 1;

    /// <summary>Installs the resolver and initialises SQLite; idempotent and thread-safe.</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1)
        {
            return;
        }

        AssemblyLoadContext.Default.Resolving += ResolveSqlitePclRaw;
        InitializeBatteries();
    }

    /// <summary>
    /// The connection's native <c>sqlite3</c> handle (null while closed). Read through reflection: this build compiles
    /// against an older SQLitePCLRaw than Microsoft.Data.Sqlite's, so the property's type cannot be named where it is
    /// declared; at run time it is the one loaded SQLitePCLRaw's <c>sqlite3</c>.
    /// </summary>
    internal static object? NativeHandleOf(Microsoft.Data.Sqlite.SqliteConnection connection) => Handle.Property.GetValue(connection);

    // In its own class so the reflection runs on first use, never from this class's initializer (before the resolver).
    private static class Handle
    {
        public static readonly PropertyInfo Property = typeof(Microsoft.Data.Sqlite.SqliteConnection).GetProperty("Handle")
            ?? throw new InvalidOperationException("SqliteConnection.Handle is missing.");
    }

    // Kept in its own method so the JIT only touches SQLitePCL types after the resolver is in place.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void InitializeBatteries() => SQLitePCL.Batteries_V2.Init();

    /// <summary>Resolves <c>SQLitePCLRaw.*</c> by simple name from the application directory, whatever version was asked for.</summary>
    internal static Assembly? ResolveSqlitePclRaw(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Name is null || !name.Name.StartsWith("SQLitePCLRaw.", StringComparison.Ordinal))
        {
            return null;
        }

        var path = Path.Combine(AppContext.BaseDirectory, name.Name + ".dll");
        return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
    }
}

internal static class SqliteCompatibilityInitializer
{
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "PACKAGES.md asks for exactly this: every entry point that loads BuildingBlocks gets the shim.")]
    internal static void Initialize() => SqliteCompatibility.Install();
}
