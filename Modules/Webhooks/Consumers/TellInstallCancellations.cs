using Monetization.IntegrationEvents.Marketplace;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Delivery;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Consumers;

/// <summary><c>PluginUninstalled</c> → <c>marketplace.install.canceled</c>.</summary>
internal sealed class TellInstallCancellations(WebhooksDbContext db, TimeProvider clock, WebhookFanOut fanOut, WebhookDeliveryWorker worker)
    : PublicEventConsumer<PluginUninstalled>(db, clock, fanOut, worker)
{
    protected override IEnumerable<PublicEvent> Translate(PluginUninstalled e) =>
        [new PublicEvent(WebhookEventTypes.InstallCanceled, e.UserId, e.OccurredAt, new { e.UserId, e.InstallId, e.PluginId })];
}
