using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Marketplace;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Consumers;

/// <summary>
/// <c>CheckoutCompleted</c> with purpose <c>marketplace.plugin</c>: the one-time purchase is paid. Records one revenue
/// event per Checkout Session (gross = <c>amount_total</c>) and activates the install (unless it was uninstalled
/// meanwhile: the money was still collected, so the revenue is still shared).
/// </summary>
internal sealed class RecordPluginPurchase(MarketplaceDbContext db, TimeProvider clock, RevenueLedger ledger)
    : IdempotentConsumer<CheckoutCompleted, MarketplaceDbContext>(db, clock)
{
    protected override async Task HandleAsync(CheckoutCompleted integrationEvent, CancellationToken cancellationToken)
    {
        if (integrationEvent.Purpose != CheckoutPurposes.MarketplacePlugin)
        {
            return;
        }

        integrationEvent.Metadata.TryGetValue("install_id", out var installId);
        var install = await Db.Installs.SingleOrDefaultAsync(
            i => (installId != null && i.Id == installId) || i.CheckoutSessionId == integrationEvent.CheckoutSessionId, cancellationToken);
        var pluginId = install?.PluginId ?? (integrationEvent.Metadata.TryGetValue("plugin_id", out var p) ? p : null);
        var plugin = pluginId is null ? null : await Db.Plugins.SingleOrDefaultAsync(x => x.Id == pluginId, cancellationToken);
        if (plugin is null)
        {
            return;
        }

        var now = Clock.GetUtcNow();
        await ledger.RecordAsync(
            new RevenueSource(integrationEvent.CheckoutSessionId, RevenueKinds.Purchase, plugin, integrationEvent.AmountTotal, integrationEvent.Currency, integrationEvent.OccurredAt)
            {
                InstallId = install?.Id,
                UserId = install?.UserId ?? integrationEvent.UserId,
                StripePaymentIntentId = integrationEvent.PaymentIntentId,
            },
            cancellationToken);

        if (install is { Status: InstallStatuses.PendingPayment })
        {
            install.Status = InstallStatuses.Active;
            install.ActivatedAt = now;
            install.CheckoutSessionId = integrationEvent.CheckoutSessionId;
            await ledger.CountInstallAsync(plugin, now, +1, cancellationToken);
            Db.AddIntegrationEvent(new PluginInstalled(Guid.NewGuid(), now, install.Id, plugin.Id, plugin.DeveloperId, install.UserId, install.PricingModel, install.Status));
        }
    }
}
