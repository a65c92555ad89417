using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Http;
using StripeNet = global::Stripe;

namespace Monetization.Stripe;

/// <summary>Registers the one Stripe.net client, webhook verification and the Stripe failure rule.</summary>
public static class StripeServiceCollectionExtensions
{
    /// <summary>
    /// Registers, as singletons: one <see cref="StripeNet.StripeClient"/> (also as <see cref="StripeNet.IStripeClient"/>) built
    /// from <see cref="StripeNet.StripeClientOptions"/> over an <see cref="HttpClient"/> wrapped in Stripe.net's
    /// <see cref="StripeNet.SystemNetHttpClient"/> with <see cref="StripeOptions.MaxNetworkRetries"/> and
    /// <see cref="StripeOptions.TimeoutSeconds"/>; <see cref="StripeWebhookSignature"/>; the
    /// <see cref="StripeFailureProblems"/> mapping of Stripe failures to 503/502 problems; <see cref="StripeOptions"/> bound
    /// from <paramref name="stripeSection"/>; and <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is
    /// already registered.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="stripeSection">The <c>Stripe</c> configuration section (keys as in <see cref="StripeOptions"/>).</param>
    /// <param name="primaryHandler">
    /// Optional HTTP handler under the client, e.g. to route calls in-process to a Stripe emulator (set
    /// <c>Stripe:ApiBase</c> to something like <c>http://localhost/_stripe</c>; its path prefix is kept).
    /// </param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="OptionsValidationException">On first use, when <c>Stripe:ApiVersion</c> is not the pinned version or a number is out of range.</exception>
    public static IServiceCollection AddStripeClient(
        this IServiceCollection services,
        IConfiguration stripeSection,
        Func<IServiceProvider, HttpMessageHandler>? primaryHandler = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(stripeSection);

        services.AddOptions<StripeOptions>().Bind(stripeSection)
            .Validate(o => o.ApiVersion == StripeOptions.PinnedApiVersion, $"Stripe:ApiVersion must be {StripeOptions.PinnedApiVersion}, the version Stripe.net {StripeNet.StripeConfiguration.StripeNetVersion} pins (or be left unset).")
            .Validate(o => o.MaxNetworkRetries is >= 0 and <= 10, "Stripe:MaxNetworkRetries must be 0–10.")
            .Validate(o => o.TimeoutSeconds > 0, "Stripe:TimeoutSeconds must be positive.")
            .Validate(o => o.WebhookToleranceSeconds >= 0, "Stripe:WebhookToleranceSeconds must be 0 (no check) or positive.")
            .Validate(o => o.RetryAfterSeconds > 0, "Stripe:RetryAfterSeconds must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StripeWebhookSignature>();
        services.TryAddSingleton<StripeFailureProblems>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionProblemMapper, StripeFailureProblems>(sp => sp.GetRequiredService<StripeFailureProblems>()));
        services.TryAddSingleton(sp => CreateClient(sp.GetRequiredService<IOptions<StripeOptions>>().Value, primaryHandler?.Invoke(sp)));
        services.TryAddSingleton<StripeNet.IStripeClient>(sp => sp.GetRequiredService<StripeNet.StripeClient>());
        return services;
    }

    /// <summary>
    /// Builds a client with the given settings: the one construction the Host and the tests share, so both see the same
    /// retries, timeouts and error shapes.
    /// </summary>
    /// <param name="options">Key, base address, retry budget, timeout.</param>
    /// <param name="handler">The HTTP handler under the client (in-process emulator, scripted test server); null for a
    /// pooled <see cref="SocketsHttpHandler"/> whose connections are renewed every 5 minutes (DNS changes).</param>
    /// <returns>The client. Network failures after the last retry surface as <see cref="StripeConnectionException"/>.</returns>
    public static StripeNet.StripeClient CreateClient(StripeOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var http = new HttpClient(new StripeCallTelemetry(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }))
        {
            Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
        };
        var transport = new StripeNet.SystemNetHttpClient(
            http,
            options.MaxNetworkRetries,
            new StripeNet.AppInfo { Name = "Monetization" },
            enableTelemetry: false);
        return new StripeNet.StripeClient(new StripeNet.StripeClientOptions
        {
            ApiKey = string.IsNullOrWhiteSpace(options.SecretKey) ? null : options.SecretKey,
            ApiBase = options.ApiBase.TrimEnd('/'),
            HttpClient = new ConnectionFailureHttpClient(transport),
        });
    }
}
