using System.Security.Cryptography;
using Monetization.BuildingBlocks.Http;
using Monetization.Stripe;
using Monetization.StripeEmulator;
using EmulatorServer = Monetization.StripeEmulator.StripeEmulator;

namespace Monetization.Host;

/// <summary>
/// The clock the built-in Stripe emulator starts from (the emulator's test clock adds its own advances on top). The
/// system clock unless a test replaces it.
/// </summary>
/// <param name="Clock">The base clock.</param>
public sealed record StripeEmulatorBaseClock(TimeProvider Clock);

/// <summary>The Host's own request pipeline, set once the app is built, for in-process calls into itself.</summary>
public sealed class HostPipeline
{
    private RequestDelegate? _pipeline;

    /// <summary>Invokes the pipeline.</summary>
    /// <exception cref="InvalidOperationException">Called before the app is built.</exception>
    public Task InvokeAsync(HttpContext context) =>
        (_pipeline ?? throw new InvalidOperationException("The Host pipeline is not built yet."))(context);

    /// <summary>Sets the pipeline (once, by <see cref="StripeHosting.UseStripe"/>).</summary>
    internal void Set(RequestDelegate pipeline) => _pipeline = pipeline;
}

/// <summary>
/// Stripe wiring of the Host (Stripe issue): with <c>Stripe:SecretKey</c> set, the client talks to
/// <c>Stripe:ApiBase</c>; without it, the Stripe emulator runs in process under <c>/_stripe</c>: the client's
/// requests and the emulator's signed webhooks travel through the Host's own pipeline without sockets, a webhook secret is
/// generated, and the Host's clock is the emulator's test clock, so advancing it renews, fails and cancels subscriptions
/// and moves the Host's time with them.
/// </summary>
/// <remarks>
/// Issue 16: outside Development the emulator runs only when the operator opts in with <c>Stripe:Emulator:Enabled=true</c>
/// (demos, staging); without a key and without that, the Host refuses to start (<see cref="StartupRefusal"/>). Whenever
/// the emulator runs, every answer of the Host carries <c>Stripe-Emulator: test-mode</c>, and outside Development its
/// <c>/_test</c> routes (clock, faults, checkout completion, …) need the admin API key.
/// </remarks>
public static partial class StripeHosting
{
    /// <summary>Path under which the in-process emulator is mapped.</summary>
    public const string EmulatorPath = "/_stripe";

    /// <summary>The header every answer carries while the emulator runs: <c>Stripe-Emulator: test-mode</c>.</summary>
    public const string TestModeHeader = "Stripe-Emulator";

    /// <summary>The value of <see cref="TestModeHeader"/>.</summary>
    public const string TestModeValue = "test-mode";

    /// <summary>True when no Stripe secret key is configured, so the emulator is used.</summary>
    public static bool IsEmulated(IConfiguration configuration) => string.IsNullOrWhiteSpace(configuration["Stripe:SecretKey"]);

    /// <summary>
    /// Why the Host must not start (issue 16), as one line naming what to set, or null: outside Development a Host without
    /// <c>Stripe:SecretKey</c> would serve the free emulator (test cards grant paid access, anyone could move its clock), so
    /// it runs only when <c>Stripe:Emulator:Enabled</c> is <c>true</c>.
    /// </summary>
    public static string? StartupRefusal(IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        if (!IsEmulated(configuration) || environment.IsDevelopment() || configuration.GetValue<bool>("Stripe:Emulator:Enabled"))
        {
            return null;
        }

        return $"Refusing to start: Stripe:SecretKey is not set in the {environment.EnvironmentName} environment. "
            + "Set Stripe__SecretKey (sk_live_… or sk_test_…) and Stripe__WebhookSecrets__0 (whsec_…), "
            + "or set Stripe__Emulator__Enabled=true to run the built-in Stripe emulator in test mode (demos, staging; no real payments).";
    }

    /// <summary>Registers the Stripe client, and in emulator mode the emulator, its clock and the in-process transport.</summary>
    public static WebApplicationBuilder AddStripe(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        if (!IsEmulated(configuration))
        {
            builder.Services.AddStripeClient(configuration.GetSection("Stripe"));
            return builder;
        }

        var secret = configuration["Stripe:WebhookSecrets:0"];
        if (string.IsNullOrWhiteSpace(secret))
        {
            secret = "whsec_emulator_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        }

        var publicBase = configuration["Stripe:Emulator:PublicBaseUrl"] ?? PublicUrl(configuration) + EmulatorPath;
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stripe:SecretKey"] = "sk_test_emulator",
            ["Stripe:ApiBase"] = "http://localhost" + EmulatorPath,
            ["Stripe:WebhookSecrets:0"] = secret,
            ["Stripe:Emulated"] = "true",
            ["Stripe:Emulator:PublicBaseUrl"] = publicBase,
        });

        var services = builder.Services;
        services.AddSingleton<HostPipeline>();
        services.AddSingleton(new StripeEmulatorBaseClock(TimeProvider.System));
        services.AddSingleton(sp => new EmulatorServer(
            new StripeEmulatorOptions
            {
                WebhookSecret = secret,
                PublicBaseUrl = publicBase,
                StatePath = configuration["Stripe:Emulator:StatePath"],
                BaseClock = sp.GetRequiredService<StripeEmulatorBaseClock>().Clock,
            },
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Monetization.StripeEmulator")));
        services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<EmulatorServer>().Clock);
        services.AddStripeClient(configuration.GetSection("Stripe"), sp => new InProcessHttpMessageHandler(sp.GetRequiredService<HostPipeline>().InvokeAsync, sp));
        return builder;
    }

    /// <summary>
    /// Maps the emulator under <see cref="EmulatorPath"/> (before routing, outside the API's key checks), marks every answer
    /// of the Host with <c>Stripe-Emulator: test-mode</c>, and outside Development guards <c>/_stripe/_test/…</c> with the
    /// admin API key (401 problem+json <c>unauthorized</c> without it, 403 <c>forbidden</c> with a read-only key).
    /// </summary>
    public static void MapEmulator(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetService<EmulatorServer>() is not { } emulator)
        {
            return;
        }

        app.Use((context, next) =>
        {
            // On starting, so that answers written after a Response.Clear() (problem details of a fault) carry it too.
            context.Response.OnStarting(static state =>
            {
                ((HttpResponse)state).Headers[TestModeHeader] = TestModeValue;
                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });
        var guarded = !app.Environment.IsDevelopment();
        var keys = app.Services.GetRequiredService<ApiKeyStore>();
        app.Map(EmulatorPath, branch =>
        {
            if (guarded)
            {
                branch.Use((context, next) => context.Request.Path.StartsWithSegments("/_test", StringComparison.Ordinal)
                    ? GuardTestRouteAsync(context, keys, next)
                    : next(context));
            }

            branch.Run(emulator.HandleAsync);
        });
    }

    /// <summary>Lets a request to an emulator test route through only with the admin API key (<c>Authorization: Bearer</c>).</summary>
    private static Task GuardTestRouteAsync(HttpContext context, ApiKeyStore keys, RequestDelegate next)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        var key = header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? keys.Find(header[prefix.Length..].Trim()) : null;
        if (key is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.WriteAsync(context, new ProblemException(
                401,
                "Unauthorized",
                "Outside Development the Stripe emulator's /_test routes need the admin API key: send 'Authorization: Bearer <Auth:AdminApiKey>'.",
                "unauthorized"));
        }

        if (!key.Scopes.Contains("admin"))
        {
            return Problems.WriteAsync(context, new ProblemException(403, "Forbidden", "The Stripe emulator's /_test routes need the 'admin' scope.", "forbidden"));
        }

        return next(context);
    }

    /// <summary>In emulator mode: captures the built pipeline, points webhook delivery at the Host's own webhook route, logs it.</summary>
    public static void UseStripe(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var emulator = app.Services.GetService<EmulatorServer>();
        if (emulator is null)
        {
            return;
        }

        var pipeline = app.Services.GetRequiredService<HostPipeline>();
        pipeline.Set(((IApplicationBuilder)app).Build());
        emulator.ConfigureWebhooks(new Uri("http://localhost/v1/webhooks/stripe"), () => new InProcessHttpMessageHandler(pipeline.InvokeAsync, app.Services));
        LogEmulated(app.Logger, app.Configuration["Stripe:Emulator:PublicBaseUrl"] ?? EmulatorPath);
    }

    private static string PublicUrl(IConfiguration configuration)
    {
        var urls = configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? configuration["http_ports"];
        var first = urls?.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return first is null || first.Contains('*', StringComparison.Ordinal) || first.Contains("+:", StringComparison.Ordinal) || first.Contains("0.0.0.0", StringComparison.Ordinal)
            ? "http://localhost:5080"
            : first.TrimEnd('/');
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payments are EMULATED (TEST MODE): no Stripe:SecretKey is set, so the built-in Stripe emulator answers at {Url} (test cards, no real money; every answer carries Stripe-Emulator: test-mode).")]
    private static partial void LogEmulated(ILogger logger, string url);
}
