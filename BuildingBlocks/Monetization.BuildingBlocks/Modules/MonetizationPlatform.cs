using System.Globalization;
using Carter;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Data;
using Monetization.BuildingBlocks.Http;
using Monetization.BuildingBlocks.Mediation;
using Monetization.BuildingBlocks.OpenApi;
using Monetization.BuildingBlocks.Outbox;

namespace Monetization.BuildingBlocks.Modules;

/// <summary>
/// The Host's composition root: <see cref="AddMonetizationPlatform"/> once, <see cref="AddModule{TModule}"/> per module,
/// then <see cref="BuildMonetizationApp"/>, which maps every module's routes with the platform's conventions
/// (problem+json errors, API keys, Idempotency-Key, body limit, health, OpenAPI, dead-letter admin).
/// </summary>
public static class MonetizationPlatform
{
    /// <summary>Registers the platform services shared by all modules.</summary>
    /// <exception cref="InvalidOperationException"><c>Database:Provider</c> is neither <c>Sqlite</c> nor <c>Postgres</c>.</exception>
    public static WebApplicationBuilder AddMonetizationPlatform(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var provider = builder.Configuration["Database:Provider"] ?? nameof(DatabaseProvider.Sqlite);
        if (!Enum.TryParse<DatabaseProvider>(provider, ignoreCase: true, out _) || int.TryParse(provider, out _))
        {
            throw new InvalidOperationException($"Database:Provider '{provider}' is not supported; use 'Sqlite' or 'Postgres'.");
        }

        services.Configure<DatabaseOptions>(builder.Configuration.GetSection("Database"));
        services.Configure<OutboxOptions>(builder.Configuration.GetSection("Outbox"));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new ModuleCatalog());
        services.AddSingleton(sp => new IntegrationEventRegistry(sp.GetServices<IntegrationEventName>()));
        services.AddSingleton<ApiCatalog>();
        services.AddSingleton<ModuleConnectionStrings>();
        services.AddSingleton<ModuleMigrator>();
        services.AddSingleton(sp => ApiKeyConfiguration.Load(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IHostEnvironment>(),
            sp.GetRequiredService<ModuleConnectionStrings>().DataDirectory, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Monetization.Auth")));
        services.AddMediatorCore();
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddDbContext<PlatformDbContext>((sp, options) => options.UseModuleDatabase(sp, "Platform"));
        services.AddHostedService<StartupMigrations>();
        services.AddHostedService<Data.SqliteCheckpointer>(); // after the migrations: they create the files and turn on WAL
        return builder;
    }

    /// <summary>Adds a module: its handlers, consumers and validators, and what its <see cref="IModule.Register"/> declares.</summary>
    public static WebApplicationBuilder AddModule<TModule>(this WebApplicationBuilder builder)
        where TModule : IModule, new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddModule(new TModule(), builder.Configuration, builder.Environment);
        return builder;
    }

    /// <summary>Adds a module to a service collection that already has the platform (the form tests use for throw-away modules).</summary>
    /// <exception cref="InvalidOperationException">The platform is missing, or a module of that name is already added.</exception>
    public static IServiceCollection AddModule(this IServiceCollection services, IModule module, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(module);
        var catalog = CatalogOf(services);
        if (catalog.Modules.Contains(module.Name))
        {
            throw new InvalidOperationException($"Module {module.Name} is added twice.");
        }

        catalog.Modules.Add(module.Name);
        services.AddHandlersFrom(module.GetType().Assembly);
        module.Register(new ModuleBuilder(module, services, configuration, environment, catalog));
        return services;
    }

    private static ModuleCatalog CatalogOf(IServiceCollection services) =>
        services.SingleOrDefault(d => d.ServiceType == typeof(ModuleCatalog))?.ImplementationInstance as ModuleCatalog
        ?? throw new InvalidOperationException("Call AddMonetizationPlatform before adding modules.");

    /// <summary>
    /// Builds the app and its pipeline. <paramref name="beforeRouting"/> may map branches that sit outside the API's
    /// conventions (the built-in Stripe emulator under <c>/_stripe</c>).
    /// </summary>
    public static WebApplication BuildMonetizationApp(this WebApplicationBuilder builder, Action<WebApplication>? beforeRouting = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var catalog = CatalogOf(builder.Services);
        builder.Services.AddCarter(configurator: c => c.WithModules([.. catalog.RouteModules]));
        var maxBody = builder.Configuration.GetValue<long?>("Http:MaxRequestBodyBytes") ?? 1024 * 1024;

        var app = builder.Build();
        _ = app.Services.GetRequiredService<ApiKeyStore>(); // fail fast: Production without Auth:AdminApiKey must not start
        app.UseMiddleware<ProblemDetailsMiddleware>();
        app.UseMiddleware<RequestBodyLimitMiddleware>(maxBody);
        beforeRouting?.Invoke(app);
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "docs";
            o.SwaggerEndpoint("/openapi.json", "Monetization");
            o.DocumentTitle = "Monetization API";
        });
        app.UseRouting();
        app.UseMiddleware<ApiKeyMiddleware>();
        app.UseMiddleware<IdempotencyMiddleware>();
        MapPlatformRoutes(app);
        app.MapCarter();
        // Explicit, so that a pipeline built from the app itself (in-process calls into the Host) also runs endpoints.
        app.UseEndpoints(static _ => { });
        return app;
    }

    private static void MapPlatformRoutes(WebApplication app)
    {
        var anonymous = new ApiScopeMetadata(ApiScope.Anonymous);
        app.MapGet("/health/live", () => Results.Json(new { status = "live" })).WithMetadata(anonymous);
        app.MapGet("/health/ready", Readiness.CheckAsync).WithMetadata(anonymous);
        var catalog = app.Services.GetRequiredService<ApiCatalog>();
        app.MapGet("/openapi.json", () => Results.Text(OpenApiDocument.Build(catalog, "Monetization", "v1").ToJsonString(), "application/json")).WithMetadata(anonymous);
        Describe(catalog, "GET", "/health/live", "Liveness: the process answers.", ApiScope.Anonymous, typeof(Readiness.Report));
        Describe(catalog, "GET", "/health/ready", "Readiness: every module's database is reachable and migrated (503 otherwise).", ApiScope.Anonymous, typeof(Readiness.Report));

        app.MapGet("/v1/config", PublicConfigEndpoint.HandleAsync).WithMetadata(anonymous);
        Describe(catalog, "GET", "/v1/config", "What a frontend needs: each module's public settings (plans with prices, credit packages, slot price) and the Stripe publishable key; no secrets.", ApiScope.Anonymous, typeof(PublicConfig));

        app.MapGet("/v1/admin/dead_letters", async (HttpContext ctx, IEnumerable<IOutboxDispatcher> dispatchers) =>
            Results.Json(await DeadLetterPageAsync(dispatchers, ctx.Query("limit"), ctx.Query("starting_after"), ctx.RequestAborted), ApiJson.Options))
            .WithMetadata(new ApiScopeMetadata(ApiScope.Admin));
        catalog.Describe(new ApiRouteDescription("GET", "/v1/admin/dead_letters", "Platform",
            new ApiRoute("Integration events given up after the configured attempts, every module, by module then sequence (paged)")
            {
                Scope = ApiScope.Admin,
                Query = Paging.QueryParameters("id (<module>:<sequence>)"),
                Problems = [422],
            },
            ApiScope.Admin, null, typeof(Page<DeadLetter>)));

        app.MapGet("/v1/admin/outbox", async (HttpContext ctx, IEnumerable<IOutboxDispatcher> dispatchers) =>
        {
            var stats = new List<OutboxStats>();
            foreach (var dispatcher in dispatchers)
            {
                stats.Add(await dispatcher.GetStatsAsync(ctx.RequestAborted));
            }

            return Results.Json(new OutboxStatsList(stats), ApiJson.Options);
        }).WithMetadata(new ApiScopeMetadata(ApiScope.Read));
        Describe(catalog, "GET", "/v1/admin/outbox", "Pending, due and dead-lettered counts of each module's outbox.", ApiScope.Read, typeof(OutboxStatsList));

        app.MapPost("/v1/admin/dead_letters/{module}/{sequence:long}/replay", async (HttpContext ctx, string module, long sequence, IEnumerable<IOutboxDispatcher> dispatchers) =>
        {
            var dispatcher = dispatchers.FirstOrDefault(d => string.Equals(d.Module, module, StringComparison.OrdinalIgnoreCase))
                ?? throw ProblemException.NotFound("Module", module);
            if (!await dispatcher.ReplayAsync(sequence, ctx.RequestAborted))
            {
                throw ProblemException.NotFound("Dead letter", $"{module}/{sequence}");
            }

            return Results.Json(new ReplayAccepted(dispatcher.Module, sequence, "replayed"), ApiJson.Options, statusCode: 202);
        }).WithMetadata(new ApiScopeMetadata(ApiScope.Admin));
        Describe(catalog, "POST", "/v1/admin/dead_letters/{module}/{sequence}/replay", "Puts a dead-lettered event back in line with a fresh attempt budget.", ApiScope.Admin, typeof(ReplayAccepted), 202);
    }

    /// <summary>
    /// One page of every module's dead letters (ADR 0071), ordered by module name (ordinal, ignoring case), then sequence.
    /// The cursor is a position, <c>&lt;module&gt;:&lt;sequence&gt;</c> (<see cref="DeadLetter.Id"/>): a dead letter replayed since
    /// the previous page leaves the list, so a cursor need not name a row that is still there; a malformed cursor or an
    /// unknown module is a 422 naming <c>starting_after</c>.
    /// </summary>
    private static async Task<Page<DeadLetter>> DeadLetterPageAsync(IEnumerable<IOutboxDispatcher> dispatchers, string? limitText, string? startingAfter, CancellationToken ct)
    {
        var limit = Paging.LimitOf(limitText);
        var ordered = dispatchers.OrderBy(d => d.Module, StringComparer.OrdinalIgnoreCase).ToList();
        var start = 0;
        var after = 0L;
        if (startingAfter is not null)
        {
            var parts = startingAfter.Split(':');
            if (parts.Length != 2 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out after))
            {
                throw ProblemException.Invalid("starting_after", "starting_after must be a dead letter's id, <module>:<sequence> (referrals:42).");
            }

            start = ordered.FindIndex(d => string.Equals(d.Module, parts[0], StringComparison.OrdinalIgnoreCase));
            if (start < 0)
            {
                throw Paging.UnknownCursor("Module of dead letter", startingAfter);
            }
        }

        var rows = new List<DeadLetter>(limit + 1);
        for (var i = start; i < ordered.Count && rows.Count <= limit; i++)
        {
            rows.AddRange(await ordered[i].ListDeadLettersAsync(i == start ? after : 0, limit + 1 - rows.Count, ct));
        }

        return rows.ToPage(limit);
    }

    private static void Describe(ApiCatalog catalog, string method, string pattern, string summary, ApiScope scope, Type response, int status = 200) =>
        catalog.Describe(new ApiRouteDescription(method, pattern, "Platform", new ApiRoute(summary) { Status = status, Scope = scope }, scope, null, response));

    /// <summary>Outbox counts of every module.</summary>
    /// <param name="Data">One row per module.</param>
    public sealed record OutboxStatsList(IReadOnlyList<OutboxStats> Data);

    /// <summary>A replay accepted.</summary>
    /// <param name="Module">Module.</param>
    /// <param name="Sequence">Row id.</param>
    /// <param name="Status"><c>replayed</c>.</param>
    public sealed record ReplayAccepted(string Module, long Sequence, string Status);

    /// <summary>Creates the data directory and migrates every database before the dispatchers and the server start.</summary>
    private sealed class StartupMigrations(ModuleConnectionStrings connections, ModuleMigrator migrator, IServiceProvider services) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(connections.DataDirectory);
            await using (var scope = services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Database.MigrateAsync(cancellationToken);
            }

            await migrator.MigrateAsync(cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>The <c>/health/ready</c> check.</summary>
public static class Readiness
{
    /// <summary>Readiness answer.</summary>
    /// <param name="Status"><c>ready</c> or <c>not_ready</c>.</param>
    /// <param name="Modules">Per module: <c>ready</c>, <c>unreachable</c> or <c>pending_migrations</c>.</param>
    public sealed record Report(string Status, IReadOnlyDictionary<string, string> Modules);

    /// <summary>200 when every module's database is reachable with no pending migration, else 503.</summary>
    public static async Task<IResult> CheckAsync(HttpContext context, ModuleCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(catalog);
        var modules = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var database in catalog.Databases)
        {
            var db = (DbContext)context.RequestServices.GetRequiredService(database.ContextType);
            try
            {
                modules[database.Module] = !await db.Database.CanConnectAsync(context.RequestAborted) ? "unreachable"
                    : (await db.Database.GetPendingMigrationsAsync(context.RequestAborted)).Any() ? "pending_migrations"
                    : "ready";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                modules[database.Module] = "unreachable";
            }
        }

        var ready = modules.Values.All(v => v == "ready");
        return Results.Json(new Report(ready ? "ready" : "not_ready", modules), ApiJson.Options, statusCode: ready ? 200 : 503);
    }
}

/// <summary>Builds the <see cref="ApiKeyStore"/> from configuration.</summary>
public static partial class ApiKeyConfiguration
{
    /// <summary>
    /// <c>Auth:AdminApiKey</c> (a plain key, hashed here) plus <c>Auth:ApiKeys:N</c> entries with <c>Name</c>,
    /// <c>Sha256</c> (hex of the key's SHA-256) or <c>Key</c>, and <c>Scopes</c> (<c>admin</c>, <c>read</c>, <c>usage:write</c>). Without an
    /// admin key, Development generates one into <c>{data}/admin-api-key</c> (reused later) and logs where; other
    /// environments refuse to start.
    /// </summary>
    /// <exception cref="InvalidOperationException">No admin key outside Development, or a malformed key entry.</exception>
    public static ApiKeyStore Load(IConfiguration configuration, IHostEnvironment environment, string dataDirectory, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var keys = new List<ApiKey>();
        var admin = configuration["Auth:AdminApiKey"];
        if (string.IsNullOrWhiteSpace(admin))
        {
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException("Auth:AdminApiKey is required outside Development (set Auth__AdminApiKey).");
            }

            var path = Path.Combine(dataDirectory, "admin-api-key");
            Directory.CreateDirectory(dataDirectory);
            if (!File.Exists(path))
            {
                File.WriteAllText(path, "mk_admin_" + Billing.PrefixedId.New("key")[4..]);
            }

            admin = File.ReadAllText(path).Trim();
            LogGenerated(logger, path);
        }

        keys.Add(new ApiKey("admin", ApiKeyStore.Hash(admin), new HashSet<string>(["admin"], StringComparer.Ordinal)));
        foreach (var entry in configuration.GetSection("Auth:ApiKeys").GetChildren())
        {
            var name = entry["Name"] ?? entry.Key;
            var scopes = entry.GetSection("Scopes").GetChildren().Select(c => c.Value!).Where(v => Http.ApiScopeNames.All.Contains(v)).ToHashSet(StringComparer.Ordinal);
            if (scopes.Count == 0)
            {
                throw new InvalidOperationException($"Auth:ApiKeys:{entry.Key} needs Scopes (admin, read and/or usage:write).");
            }

            var hash = entry["Sha256"] is { Length: 64 } hex ? Convert.FromHexString(hex)
                : entry["Key"] is { Length: > 0 } plain ? ApiKeyStore.Hash(plain)
                : throw new InvalidOperationException($"Auth:ApiKeys:{entry.Key} needs Sha256 (64 hex characters) or Key.");
            keys.Add(new ApiKey(name, hash, scopes));
        }

        return new ApiKeyStore(keys);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Auth:AdminApiKey is set: using the generated development key stored in {Path}")]
    private static partial void LogGenerated(ILogger logger, string path);
}
