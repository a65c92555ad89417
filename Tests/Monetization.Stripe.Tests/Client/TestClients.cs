using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StripeNet = Stripe;

namespace Monetization.Stripe.Tests.Client;

/// <summary>Builds the Host's Stripe.net client through the real DI registration (<c>AddStripeClient</c>) over a test handler.</summary>
internal static class TestClients
{
    public static ServiceProvider Build(IDictionary<string, string?> settings, HttpMessageHandler? primaryHandler = null)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddStripeClient(config.GetSection("Stripe"), primaryHandler is null ? null : _ => primaryHandler);
        return services.BuildServiceProvider();
    }

    public static StripeNet.StripeClient Client(this ServiceProvider provider) => provider.GetRequiredService<StripeNet.StripeClient>();
}
