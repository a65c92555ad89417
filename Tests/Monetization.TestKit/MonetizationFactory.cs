using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Data;
using Monetization.BuildingBlocks.Modules;
using Monetization.BuildingBlocks.Outbox;
using Monetization.Host;
using Monetization.IntegrationEvents;

namespace Monetization.TestKit;

/// <summary>
/// The Host in process for tests: a fresh data directory per factory (real SQLite files, or, when the suite runs on
/// PostgreSQL (<see cref="TestDatabases.Provider"/>), a database of its own named after the directory), a settable clock, known API
/// keys, optional extra settings and services, and <see cref="DrainOutboxAsync"/> to deliver integration events
/// without sleeping. Dispose it to stop the Host and delete its data.
/// </summary>
public class MonetizationFactory : WebApplicationFactory<Program>
{
    /// <summary>The admin API key the test Host accepts.</summary>
    public const string AdminKey = "mk_test_admin_key_0123456789";

    /// <summary>A read-only API key the test Host accepts.</summary>
    public const string ReadKey = "mk_test_read_key_0123456789";

    private readonly Dictionary<string, string?> _settings = new(StringComparer.Ordinal);
    private readonly List<Action<IServiceCollection>> _services = [];
    private readonly bool _ownsDirectory;

    /// <summary>Creates a factory over a new temporary data directory.</summary>
    public MonetizationFactory()
        : this(null)
    {
    }

    /// <summary>Creates a factory over <paramref name="dataDirectory"/> (to restart a Host over the same data), or a new temporary one.</summary>
    public MonetizationFactory(string? dataDirectory)
    {
        _ownsDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "monetization-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
    }

    /// <summary>The data directory (one SQLite file per module).</summary>
    public string DataDirectory { get; }

    /// <summary>The provider the Host runs on (the suite's, <see cref="TestDatabases.Provider"/>, unless a test sets <c>Database:Provider</c>).</summary>
    public DatabaseProvider Provider => _settings.TryGetValue("Database:Provider", out var p) && p is not null
        ? Enum.Parse<DatabaseProvider>(p, ignoreCase: true)
        : TestDatabases.Provider;

    /// <summary>The Host's PostgreSQL database (named after <see cref="DataDirectory"/>, so a Host restarted over it finds its data); null on SQLite.</summary>
    public string? PostgresDatabase => Provider == DatabaseProvider.Postgres && !_settings.ContainsKey("ConnectionStrings:Postgres")
        ? TestDatabases.DatabaseNameFor(DataDirectory)
        : null;

    /// <summary>The clock the Host uses.</summary>
    public FakeTimeProvider Clock { get; init; } = new();

    /// <summary>True unless a test sets <c>Stripe:SecretKey</c>: the Host then runs the Stripe emulator in process.</summary>
    public bool IsStripeEmulated => !_settings.TryGetValue("Stripe:SecretKey", out var key) || string.IsNullOrEmpty(key);

    /// <summary>The Host's current time (the emulator's test clock in emulator mode: <see cref="Clock"/> plus its advances).</summary>
    public DateTimeOffset Now => Services.GetRequiredService<TimeProvider>().GetUtcNow();

    /// <summary>Keep the data directory on dispose (for restart tests that reuse it).</summary>
    public bool KeepData { get; set; }

    /// <summary>Sets a configuration value before the Host starts (<c>"Referrals:CreditDays"</c>, …).</summary>
    public MonetizationFactory WithSetting(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Changes services before the Host starts (runs after the Host's own registrations).</summary>
    public MonetizationFactory WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    /// <summary>A client sending the admin key.</summary>
    public HttpClient CreateAdminClient() => CreateClientWithKey(AdminKey);

    /// <summary>A client sending the read-only key.</summary>
    public HttpClient CreateReadClient() => CreateClientWithKey(ReadKey);

    /// <summary>A client sending no key.</summary>
    public HttpClient CreateAnonymousClient() => CreateTestClient();

    /// <summary>
    /// The Host's real address when it listens on Kestrel (<c>UseKestrel</c>, for a browser): the test clients then talk to it
    /// over loopback, without following redirects, instead of through the in-memory test server.
    /// </summary>
    public Uri? KestrelAddress { get; set; }

    /// <summary>
    /// Delivers every due outbox row of every module, round after round, until a round delivers nothing (events raised
    /// by consumers are delivered too). Rows backing off after a failure wait for the clock.
    /// </summary>
    /// <returns>How many deliveries were attempted.</returns>
    /// <exception cref="InvalidOperationException">Still busy after 200 rounds (an event loop).</exception>
    public async Task<int> DrainOutboxAsync()
    {
        var dispatchers = Services.GetServices<IOutboxDispatcher>().ToList();
        var total = 0;
        for (var round = 0; round < 200; round++)
        {
            var attempted = 0;
            foreach (var dispatcher in dispatchers)
            {
                attempted += await dispatcher.DispatchDueAsync(CancellationToken.None);
            }

            total += attempted;
            if (attempted > 0)
            {
                continue;
            }

            // Nothing attempted by this round's calls, but the background dispatchers run too: a round of theirs may have
            // delivered to a consumer that wrote new rows into an outbox this round had already visited.
            var due = 0;
            foreach (var dispatcher in dispatchers)
            {
                due += (await dispatcher.GetStatsAsync(CancellationToken.None)).Due;
            }

            if (due == 0)
            {
                return total;
            }
        }

        throw new InvalidOperationException("The outboxes did not drain in 200 rounds.");
    }

    /// <summary>
    /// Publishes an integration event to every consumer exactly as a module's outbox dispatcher does (a fresh scope,
    /// <c>IMediator.Publish</c>), for testing one module's consumers before or without its publisher.
    /// </summary>
    public async Task PublishAsync(IIntegrationEvent integrationEvent)
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IMediator>().Publish(integrationEvent);
    }

    /// <summary>
    /// Delivers a run of integration events of one type exactly as a module's outbox dispatcher delivers the consecutive rows
    /// of one type it claimed (a fresh scope, <see cref="IntegrationEventRun"/>): each batch consumer gets the whole run.
    /// </summary>
    /// <returns>One entry per event: null when every consumer succeeded, else what failed.</returns>
    public async Task<string?[]> PublishRunAsync(IReadOnlyList<IIntegrationEvent> integrationEvents)
    {
        await using var scope = Services.CreateAsyncScope();
        return await IntegrationEventRun.PublishAsync(scope.ServiceProvider, integrationEvents, CancellationToken.None);
    }

    /// <summary>Every event of type <typeparamref name="TEvent"/> that any module wrote to its outbox, oldest first.</summary>
    public async Task<IReadOnlyList<TEvent>> OutboxEventsAsync<TEvent>()
        where TEvent : IIntegrationEvent
    {
        var registry = Services.GetRequiredService<IntegrationEventRegistry>();
        var name = registry.NameOf(typeof(TEvent));
        var found = new List<TEvent>();
        await using var scope = Services.CreateAsyncScope();
        foreach (var database in Services.GetRequiredService<ModuleCatalog>().Databases)
        {
            var db = (ModuleDbContext)scope.ServiceProvider.GetRequiredService(database.ContextType);
            var rows = await db.Outbox.AsNoTracking().Where(m => m.Type == name).OrderBy(m => m.Sequence).ToListAsync();
            found.AddRange(rows.Select(r => (TEvent)registry.Deserialize(r.Type, r.Payload)));
        }

        return found.OrderBy(e => e.OccurredAt).ToList();
    }

    /// <summary>Undelivered outbox rows of every module with their last error ("Module type: error"), for failure messages.</summary>
    public async Task<IReadOnlyList<string>> PendingOutboxErrorsAsync()
    {
        var found = new List<string>();
        await using var scope = Services.CreateAsyncScope();
        foreach (var database in Services.GetRequiredService<ModuleCatalog>().Databases)
        {
            var db = (ModuleDbContext)scope.ServiceProvider.GetRequiredService(database.ContextType);
            var rows = await db.Outbox.AsNoTracking().Where(m => m.DispatchedAt == null).OrderBy(m => m.Sequence).ToListAsync();
            found.AddRange(rows.Select(r => $"{database.Module} {r.Type} (attempts {r.Attempts}): {r.LastError}"));
        }

        return found;
    }

    /// <summary>Runs a query against a module's DbContext (internal types are reachable from the module's test project).</summary>
    public async Task<T> QueryAsync<TDbContext, T>(Func<TDbContext, Task<T>> query)
        where TDbContext : notnull
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<TDbContext>());
    }

    /// <summary>
    /// Runs one SQL statement on a module's database through its DbContext (either provider: write identifiers in double
    /// quotes, which SQLite and PostgreSQL both read, and name the module's tables unqualified); returns the rows affected.
    /// </summary>
    /// <param name="module">Module name (<c>usage</c>, <c>Subscriptions</c>; case ignored).</param>
    /// <param name="sql">The statement.</param>
    public async Task<int> ExecuteSqlAsync(string module, string sql)
    {
        await using var scope = Services.CreateAsyncScope();
        return await ContextOf(scope, module).Database.ExecuteSqlRawAsync(sql);
    }

    /// <summary>Runs a query returning one text column named <c>Value</c> on a module's database (see <see cref="ExecuteSqlAsync"/>).</summary>
    public async Task<List<string>> QueryStringsAsync(string module, string sql, params object[] parameters)
    {
        await using var scope = Services.CreateAsyncScope();
        return await ContextOf(scope, module).Database.SqlQueryRaw<string>(sql, parameters).ToListAsync();
    }

    private DbContext ContextOf(AsyncServiceScope scope, string module)
    {
        var database = Services.GetRequiredService<ModuleCatalog>().Databases.SingleOrDefault(d => string.Equals(d.Module, module, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"No module database named {module}.", nameof(module));
        return (DbContext)scope.ServiceProvider.GetRequiredService(database.ContextType);
    }

    /// <summary>
    /// Copies a stopped Host's data to a new data directory (to start several Hosts from one prepared state): the files,
    /// except <paramref name="exceptFile"/>, and on PostgreSQL the database (<see cref="PostgresDatabase"/>'s naming).
    /// </summary>
    public static async Task CopyDataAsync(string fromDirectory, string toDirectory, string? exceptFile = null)
    {
        CopyFiles(fromDirectory, toDirectory, exceptFile);
        if (TestDatabases.Provider == DatabaseProvider.Postgres)
        {
            await TestDatabases.ClonePostgresDatabaseAsync(TestDatabases.DatabaseNameFor(fromDirectory), TestDatabases.DatabaseNameFor(toDirectory));
        }
    }

    /// <summary>Deletes a data directory a test kept (<see cref="KeepData"/>) and, on PostgreSQL, its database.</summary>
    public static async Task DeleteDataAsync(string directory)
    {
        TryDelete(directory);
        if (TestDatabases.Provider == DatabaseProvider.Postgres)
        {
            await TestDatabases.DropPostgresDatabaseAsync(TestDatabases.DatabaseNameFor(directory));
        }
    }

    private static void CopyFiles(string from, string to, string? except)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            if (except is null || Path.GetFileName(file) != except)
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }
        }

        foreach (var sub in Directory.GetDirectories(from))
        {
            CopyFiles(sub, Path.Combine(to, Path.GetFileName(sub)), except);
        }
    }

    /// <summary>Counts of every module's outbox.</summary>
    public async Task<IReadOnlyList<OutboxStats>> OutboxStatsAsync()
    {
        var stats = new List<OutboxStats>();
        foreach (var dispatcher in Services.GetServices<IOutboxDispatcher>())
        {
            stats.Add(await dispatcher.GetStatsAsync(CancellationToken.None));
        }

        return stats;
    }

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:DataDirectory", DataDirectory);
        builder.UseSetting("Auth:AdminApiKey", AdminKey);
        builder.UseSetting("Auth:ApiKeys:0:Name", "test-read");
        builder.UseSetting("Auth:ApiKeys:0:Key", ReadKey);
        builder.UseSetting("Auth:ApiKeys:0:Scopes:0", "read");
        builder.UseSetting("Outbox:PollIntervalSeconds", "0.2");
        if (PostgresDatabase is { } database)
        {
            builder.UseSetting("Database:Provider", nameof(DatabaseProvider.Postgres));
            builder.UseSetting("ConnectionStrings:Postgres", TestDatabases.CreatePostgresDatabaseAsync(database).GetAwaiter().GetResult());
        }

        if (IsStripeEmulated)
        {
            // Outside Development (tests run as "Testing") the emulator needs the explicit opt-in (issue 16).
            builder.UseSetting("Stripe:Emulator:Enabled", "true");
        }

        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            if (IsStripeEmulated)
            {
                // The Host's clock is the emulator's test clock on top of this base: advancing either moves the Host.
                services.RemoveAll<StripeEmulatorBaseClock>();
                services.AddSingleton(new StripeEmulatorBaseClock(Clock));
            }
            else
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(Clock);
            }

            foreach (var configure in _services)
            {
                configure(services);
            }
        });
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsDirectory && !KeepData)
        {
            TryDelete(DataDirectory);
            DropDatabase();
        }
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsDirectory && !KeepData)
        {
            TryDelete(DataDirectory);
            DropDatabase();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Drops the Host's PostgreSQL database, if it has one (the data directory's counterpart).</summary>
    private void DropDatabase()
    {
        if (PostgresDatabase is { } database)
        {
            TestDatabases.DropPostgresDatabaseAsync(database).GetAwaiter().GetResult();
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still open by a pool being torn down: the temp folder is cleaned by the OS.
        }
    }

    private HttpClient CreateTestClient() => KestrelAddress is { } address
        ? new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = address }
        : CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private HttpClient CreateClientWithKey(string key)
    {
        var client = CreateTestClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
