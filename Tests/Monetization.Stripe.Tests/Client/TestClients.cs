using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Monetization.Stripe.Tests.Client;

/// <summary>Builds an <see cref="IStripeClient"/> through the real DI registration.</summary>
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
}
