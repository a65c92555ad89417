using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Modules;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Delivery;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks;

/// <summary>
/// The Webhooks module (issue 18): tells the product what changed. It consumes the other modules' integration events,
/// turns each into public events (<c>access.changed</c>, <c>payment.failed</c>, …, <see cref="WebhookEventTypes"/>), records
/// one delivery per subscribed endpoint in the consumer's transaction, and sends them signed the Standard Webhooks way,
/// retried for three days. See docs/modules/webhooks.md.
/// </summary>
public sealed class WebhooksModule : IModule
{
    /// <summary>The named <see cref="HttpClient"/> deliveries go out through (no redirects, target checked after DNS).</summary>
    internal const string HttpClientName = "Monetization.Webhooks";

    /// <inheritdoc />
    public string Name => "Webhooks";

    /// <inheritdoc />
    public void Register(ModuleBuilder module)
    {
        ArgumentNullException.ThrowIfNull(module);
        module.AddDbContext<WebhooksDbContext>();
        module.AddRoutes<WebhooksRoutes>();
        _ = WebhooksMapping.Config; // compiled now, so a mapping without a source stops the Host at start
        module.AddOptions<WebhooksOptions>(WebhooksOptions.Section);
        module.Services.AddSingleton<EndpointDirectory>();
        module.Services.AddSingleton<WebhookFanOut>();
        module.Services.AddSingleton<WebhookTargets>();
        module.Services.AddHttpClient(HttpClientName, (sp, client) =>
            {
                client.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<WebhooksOptions>>().Value.RequestTimeoutSeconds);
                client.DefaultRequestHeaders.UserAgent.ParseAdd("Monetization-Webhooks/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5), // DNS changes are seen, and re-checked by the guard
                ConnectCallback = sp.GetRequiredService<WebhookTargets>().ConnectAsync,
            });
        module.Services.AddScoped<WebhookSender>();
        module.Services.AddSingleton<WebhookDeliveryWorker>();
        module.Services.AddHostedService(sp => sp.GetRequiredService<WebhookDeliveryWorker>());
    }
}
