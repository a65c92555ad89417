using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Monetization.Stripe.Internal;
using Monetization.Stripe.Services;

namespace Monetization.Stripe;

/// <summary>Registers the Stripe client and webhook verifier.</summary>
public static class StripeServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="IHttpClientFactory"/> client the Stripe transport uses.</summary>
    public const string HttpClientName = "Monetization.Stripe";

    /// <summary>
    /// Registers <see cref="IStripeClient"/> (transient, over a typed <see cref="HttpClient"/> from <see cref="IHttpClientFactory"/>),
    /// <see cref="StripeWebhookVerifier"/> (singleton), <see cref="StripeOptions"/> bound from <paramref name="stripeSection"/>,
    /// and <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is already registered.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="stripeSection">The <c>Stripe</c> configuration section (keys as in <see cref="StripeOptions"/>).</param>
    /// <param name="primaryHandler">
    /// Optional primary handler of the HTTP client, e.g. to route calls in-process to a Stripe emulator (set
    /// <c>Stripe:ApiBase</c> to something like <c>http://localhost/_stripe</c>; its path prefix is kept).
    /// </param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddStripeClient(
        this IServiceCollection services,
        IConfiguration stripeSection,
        Func<IServiceProvider, HttpMessageHandler>? primaryHandler = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(stripeSection);

        services.AddOptions<StripeOptions>().Bind(stripeSection);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StripeWebhookVerifier>();

        var http = services.AddHttpClient<StripeHttpTransport>(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        if (primaryHandler is not null)
        {
            http.ConfigurePrimaryHttpMessageHandler(primaryHandler);
        }

        services.TryAddTransient<IStripeClient, StripeClient>();
        return services;
    }
}
