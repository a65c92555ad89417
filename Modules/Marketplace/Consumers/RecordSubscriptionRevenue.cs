using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Consumers;

/// <summary>
/// <c>InvoicePaid</c>: every line that belongs to a plugin becomes one revenue event (source <c>{invoice}:{line}</c>, so a
/// renewal's line is a new event and a redelivered invoice adds nothing). A line is matched by its
/// <c>metadata[install_id]</c>, else its subscription item, else <c>metadata[plugin_id]</c>; other lines (the plan) are
/// not marketplace revenue. Zero-amount lines (trials) are skipped; negative lines (proration credits) are negative events.
/// </summary>
internal sealed class RecordSubscriptionRevenue(MarketplaceDbContext db, TimeProvider clock, RevenueLedger ledger)
    : IdempotentConsumer<InvoicePaid, MarketplaceDbContext>(db, clock)
{
    protected override async Task HandleAsync(InvoicePaid integrationEvent, CancellationToken cancellationToken)
    {
        foreach (var line in integrationEvent.Lines.Where(l => l.Amount != 0))
        {
            line.Metadata.TryGetValue("install_id", out var installId);
            Install? install = null;
            if (installId is not null)
            {
                install = await Db.Installs.SingleOrDefaultAsync(i => i.Id == installId, cancellationToken);
            }

            if (install is null && line.SubscriptionItemId is { } itemId)
            {
                install = await Db.Installs.Where(i => i.StripeSubscriptionItemId == itemId).OrderByDescending(i => i.CreatedAt).FirstOrDefaultAsync(cancellationToken);
            }

            var pluginId = install?.PluginId ?? (line.Metadata.TryGetValue("plugin_id", out var p) ? p : null);
            var plugin = pluginId is null ? null : await Db.Plugins.SingleOrDefaultAsync(x => x.Id == pluginId, cancellationToken);
            if (plugin is null)
            {
                continue;
            }

            await ledger.RecordAsync(
                new RevenueSource($"{integrationEvent.InvoiceId}:{line.LineId}", RevenueKinds.Subscription, plugin, line.Amount, line.Currency, integrationEvent.OccurredAt)
                {
                    InstallId = install?.Id,
                    UserId = install?.UserId ?? integrationEvent.UserId,
                    StripeInvoiceId = integrationEvent.InvoiceId,
                    StripeChargeId = integrationEvent.ChargeId,
                    StripePaymentIntentId = integrationEvent.PaymentIntentId,
                },
                cancellationToken);
        }
    }
}
