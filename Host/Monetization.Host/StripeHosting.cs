using System.Security.Cryptography;
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
public static partial class StripeHosting
{
    /// <summary>Path under which the in-process emulator is mapped.</summary>
    public const string EmulatorPath = "/_stripe";

    /// <summary>True when no Stripe secret key is configured, so the emulator is used.</summary>
    public static bool IsEmulated(IConfiguration configuration) => string.IsNullOrWhiteSpace(configuration["Stripe:SecretKey"]);

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

    /// <summary>Maps the emulator under <see cref="EmulatorPath"/> (before routing, outside the API's key checks).</summary>
    public static void MapEmulator(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetService<EmulatorServer>() is { } emulator)
        {
            app.Map(EmulatorPath, branch => branch.Run(emulator.HandleAsync));
        }
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payments are EMULATED: no Stripe:SecretKey is set, so the built-in Stripe emulator answers at {Url} (test cards, no real money).")]
    private static partial void LogEmulated(ILogger logger, string url);
}
