using Monetization.IntegrationEvents;
using System.Reflection;
using Carter;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Data;
using Monetization.BuildingBlocks.Outbox;

namespace Monetization.BuildingBlocks.Modules;

/// <summary>What a module registers itself with: services, configuration, its DbContext and its routes.</summary>
public sealed class ModuleBuilder
{
    internal ModuleBuilder(IModule module, IServiceCollection services, IConfiguration configuration, IHostEnvironment environment, ModuleCatalog catalog)
    {
        Module = module;
        Services = services;
        Configuration = configuration;
        Environment = environment;
        Catalog = catalog;
    }

    /// <summary>The module being registered.</summary>
    public IModule Module { get; }

    /// <summary>The application's services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The application's configuration.</summary>
    public IConfiguration Configuration { get; }

    /// <summary>The hosting environment.</summary>
    public IHostEnvironment Environment { get; }

    /// <summary>The module's assembly (scanned for handlers, consumers and validators).</summary>
    public Assembly Assembly => Module.GetType().Assembly;

    internal ModuleCatalog Catalog { get; }

    /// <summary>
    /// Registers the module's DbContext on its own database (<see cref="ModuleConnectionStrings.For"/>: a SQLite file, or its
    /// schema of the PostgreSQL database), its outbox dispatcher, and its migrations and readiness at start.
    /// </summary>
    /// <typeparam name="TDbContext">The module's context (derives from <see cref="ModuleDbContext"/>).</typeparam>
    public ModuleBuilder AddDbContext<TDbContext>()
        where TDbContext : ModuleDbContext
    {
        var name = Module.Name;
        Services.AddSingleton<OutboxSignal<TDbContext>>();
        Services.AddSingleton<OutboxCommitInterceptor<TDbContext>>();
        // Pooled: a request or consumer gets a context that is already configured instead of building its options again.
        Services.AddDbContextPool<TDbContext>((sp, options) =>
            options.UseModuleDatabase(sp, name).AddInterceptors(sp.GetRequiredService<OutboxCommitInterceptor<TDbContext>>()));
        Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<OutboxDispatcher<TDbContext>>(sp, name));
        Services.AddSingleton<IOutboxDispatcher>(sp => sp.GetRequiredService<OutboxDispatcher<TDbContext>>());
        Services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher<TDbContext>>());
        Catalog.Databases.Add(new ModuleDatabase(name, typeof(TDbContext)));
        return this;
    }

    /// <summary>
    /// Declares an integration event type beyond <c>IntegrationEventTypes.All</c> (a throw-away module's), for the Host's
    /// <see cref="IntegrationEventRegistry"/> built at start.
    /// </summary>
    /// <param name="name">Wire name, <c>module.event_name</c>.</param>
    public ModuleBuilder IntegrationEvent<TEvent>(string name)
        where TEvent : IIntegrationEvent
    {
        Services.AddSingleton(new IntegrationEventName(name, typeof(TEvent)));
        return this;
    }

    /// <summary>Registers the module's one Carter module (its routes).</summary>
    /// <typeparam name="TRoutes">The module's <see cref="ICarterModule"/>.</typeparam>
    public ModuleBuilder AddRoutes<TRoutes>()
        where TRoutes : ICarterModule
    {
        Catalog.RouteModules.Add(typeof(TRoutes));
        return this;
    }

    /// <summary>Binds an options type to a configuration section and validates data annotations at start.</summary>
    public ModuleBuilder AddOptions<TOptions>(string section)
        where TOptions : class
    {
        Services.AddOptions<TOptions>().Bind(Configuration.GetSection(section)).ValidateDataAnnotations().ValidateOnStart();
        return this;
    }
}

/// <summary>A module's database as the platform knows it.</summary>
/// <param name="Module">Module name.</param>
/// <param name="ContextType">Its DbContext type.</param>
public sealed record ModuleDatabase(string Module, Type ContextType);

/// <summary>Every module added to the Host, their databases and route modules.</summary>
public sealed class ModuleCatalog
{
    /// <summary>Names of the modules added, in order.</summary>
    public List<string> Modules { get; } = [];

    /// <summary>Module databases.</summary>
    public List<ModuleDatabase> Databases { get; } = [];

    /// <summary>Carter modules to map.</summary>
    public List<Type> RouteModules { get; } = [];
}

/// <summary>Resolves each module's connection string for the configured provider.</summary>
public sealed class ModuleConnectionStrings(IConfiguration configuration, IOptions<DatabaseOptions> database, IHostEnvironment environment)
{
    /// <summary>The data directory, absolute (SQLite files; the generated development admin key with either provider).</summary>
    public string DataDirectory { get; } = Path.GetFullPath(database.Value.DataDirectory, environment.ContentRootPath);

    /// <summary>The configured provider (<see cref="DatabaseOptions.Provider"/>).</summary>
    public DatabaseProvider Provider { get; } = database.Value.Provider;

    /// <summary>
    /// SQLite: <c>ConnectionStrings:&lt;module&gt;</c> when set, else a file named after the module in the data directory.
    /// PostgreSQL: <c>ConnectionStrings:&lt;module&gt;</c> when set, else <c>ConnectionStrings:Postgres</c>, with its
    /// <c>Search Path</c> set to the module's schema (<see cref="ModuleDatabases.SchemaOf"/>) unless the string sets one.
    /// </summary>
    /// <exception cref="InvalidOperationException">PostgreSQL without <c>ConnectionStrings:Postgres</c>.</exception>
    public string For(string module)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (Provider == DatabaseProvider.Postgres)
        {
            var connectionString = configuration.GetConnectionString(module) ?? configuration.GetConnectionString("Postgres")
                ?? throw new InvalidOperationException("Database:Provider is Postgres, so ConnectionStrings:Postgres is required (set ConnectionStrings__Postgres).");
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.SearchPath))
            {
                builder.SearchPath = ModuleDatabases.SchemaOf(module);
            }

            return builder.ConnectionString;
        }

        return configuration.GetConnectionString(module)
            ?? $"Data Source={Path.Combine(DataDirectory, module.ToLowerInvariant() + ".db")};Pooling=True";
    }
}

/// <summary>How every module's DbContext (and the platform's) is pointed at its database.</summary>
public static class ModuleDatabaseOptions
{
    /// <summary>
    /// Configures <paramref name="options"/> for <paramref name="module"/>'s database with the Host's provider: SQLite with its
    /// per-connection settings (<see cref="SqlitePragmaInterceptor"/>), or PostgreSQL with the module's schema and its own
    /// migrations history table there; either way only that provider's migrations (<see cref="ProviderMigrationsAssembly"/>).
    /// </summary>
    public static DbContextOptionsBuilder UseModuleDatabase(this DbContextOptionsBuilder options, IServiceProvider services, string module)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        var connections = services.GetRequiredService<ModuleConnectionStrings>();
        var timeout = services.GetRequiredService<IOptions<DatabaseOptions>>().Value.BusyTimeoutSeconds;
        var connectionString = connections.For(module);
        if (connections.Provider == DatabaseProvider.Postgres)
        {
            options.UseNpgsql(connectionString, npgsql => npgsql
                .CommandTimeout(timeout)
                .MigrationsHistoryTable("__EFMigrationsHistory", ModuleDatabases.SchemaOf(module)));
        }
        else
        {
            // Before the process's first SQLite connection: the library's thread mode and allocation statistics.
            Data.SqliteLibrary.Configure();
            options.UseSqlite(connectionString, sqlite => sqlite.CommandTimeout(timeout)).AddInterceptors(SqlitePragmaInterceptor.For(timeout));
        }

        return options.ReplaceService<Microsoft.EntityFrameworkCore.Migrations.IMigrationsAssembly, ProviderMigrationsAssembly>()
            // Migrations are compared with the model by each module's schema test (per provider), not by a snapshot.
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }
}

/// <summary>
/// Per-connection SQLite settings: a busy handler (<see cref="Data.SqliteBusyWait"/>: SQLite's own wait for the write
/// lock in 1 ms steps, instead of the driver's 150 ms retry sleeps or the bundled SQLite's whole-second
/// <c>busy_timeout</c> sleeps), <c>wal_autocheckpoint</c> raised to a backstop (<see cref="Data.SqliteCheckpointer"/> checkpoints
/// in the background), <c>synchronous=NORMAL</c> (safe with WAL, which the migrator persists), foreign keys,
/// <c>temp_store=MEMORY</c> and <c>mmap_size</c>. Applied once per physical connection: a connection taken again from the driver's pool keeps
/// them, so a query costs no extra statements.
/// </summary>
internal sealed class SqlitePragmaInterceptor : DbConnectionInterceptor
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, SqlitePragmaInterceptor> BySeconds = new();

    /// <summary>Native connections already set up (weak: a handle the pool closes is forgotten with it).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> Applied = new();

    /// <summary>
    /// Memory-mapped reads, up to 64 MiB per connection: pages come from the OS page cache without a read() and a copy each,
    /// which matters because SQLite drops a connection's page cache whenever another connection has written.
    /// </summary>
    private const long MmapBytes = 64L * 1024 * 1024;

    private static readonly string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=" + MmapBytes
        + "; PRAGMA wal_autocheckpoint=" + Data.SqliteCheckpointer.BackstopPages + ";";

    private readonly int _busyTimeoutMilliseconds;

    private SqlitePragmaInterceptor(int busyTimeoutSeconds) => _busyTimeoutMilliseconds = busyTimeoutSeconds * 1000;

    public static SqlitePragmaInterceptor For(int busyTimeoutSeconds) => BySeconds.GetOrAdd(busyTimeoutSeconds, s => new SqlitePragmaInterceptor(s));

    /// <summary>
    /// Creates each context's <see cref="Microsoft.Data.Sqlite.SqliteConnection"/> instead of EF Core, which would register its
    /// eleven SQL functions for decimal arithmetic and <c>regexp</c> (<c>ef_add</c>, <c>ef_compare</c>, <c>ef_sum</c>, …) on it.
    /// Microsoft.Data.Sqlite re-registers a connection's functions with SQLite on every open and unregisters them on every
    /// close, and EF Core opens and closes around each query: 44 <c>sqlite3_create_function</c> calls for a request of two
    /// queries, about a seventh of the bytes the consumption read allocated (issue 22). No module's model has a decimal column or
    /// queries by regular expression, so no query needs them; a query that did would fail with "no such function".
    /// </summary>
    public override InterceptionResult<System.Data.Common.DbConnection> ConnectionCreating(ConnectionCreatingEventData eventData, InterceptionResult<System.Data.Common.DbConnection> result) =>
        result.HasResult || eventData.ConnectionString is null
            ? result
            : InterceptionResult<System.Data.Common.DbConnection>.SuppressWithResult(
                new Microsoft.Data.Sqlite.SqliteConnection(eventData.ConnectionString) { DefaultTimeout = _busyTimeoutMilliseconds / 1000 });

    public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (!FirstOpen(connection))
        {
            return;
        }

        InstallBusyWait(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, ConnectionEndEventData eventData)
    {
        if (!FirstOpen(connection))
        {
            return;
        }

        InstallBusyWait(connection);
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    private void InstallBusyWait(System.Data.Common.DbConnection connection)
    {
        if (connection is Microsoft.Data.Sqlite.SqliteConnection sqlite)
        {
            Data.SqliteBusyWait.Install(sqlite, _busyTimeoutMilliseconds);
        }
    }

    /// <summary>True the first time this native connection is seen (always true for a connection that is not SQLite's).</summary>
    private static bool FirstOpen(System.Data.Common.DbConnection connection) =>
        connection is not Microsoft.Data.Sqlite.SqliteConnection sqlite || sqlite.Handle is not { } handle || Applied.TryAdd(handle, Marker);

    private static readonly object Marker = new();
}

/// <summary>Applies every module's migrations at start, turning on WAL for each SQLite file.</summary>
public sealed partial class ModuleMigrator(IServiceProvider services, ModuleCatalog catalog, ILogger<ModuleMigrator> logger)
{
    /// <summary>Migrates each module's database; throws when a migration fails (the Host must not serve on a half-built schema).</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        foreach (var database in catalog.Databases)
        {
            var db = (DbContext)scope.ServiceProvider.GetRequiredService(database.ContextType);
            await db.Database.MigrateAsync(cancellationToken);
            if (db.Database.IsSqlite())
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            }

            LogMigrated(logger, database.Module);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Module} database is migrated")]
    private static partial void LogMigrated(ILogger logger, string module);
}
