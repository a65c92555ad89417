using Monetization.IntegrationEvents.Marketplace;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Delivery;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Consumers;

/// <summary><c>PluginInstalled</c> with status <c>active</c> → <c>marketplace.install.activated</c> (a pending install says so when it activates).</summary>
internal sealed class TellInstallActivations(WebhooksDbContext db, TimeProvider clock, WebhookFanOut fanOut, WebhookDeliveryWorker worker)
    : PublicEventConsumer<PluginInstalled>(db, clock, fanOut, worker)
{
    protected override IEnumerable<PublicEvent> Translate(PluginInstalled e) => e.Status != "active"
        ? []
        : [new PublicEvent(WebhookEventTypes.InstallActivated, e.UserId, e.OccurredAt, new { e.UserId, e.InstallId, e.PluginId, e.DeveloperId, e.PricingModel })];
}
