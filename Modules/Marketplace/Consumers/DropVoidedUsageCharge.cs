using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Usage;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Consumers;

/// <summary>
/// <c>UsageChargeVoided</c> (issue 20): the usage invoice of a plugin's charge was voided before it was paid, so the charge
/// will never be collected: its uncollected row is marked voided (kept as a tombstone, so a late <c>UsageChargeBilled</c>
/// cannot bring it back), leaves the developer's earnings and is never payable. A charge already earned (paid) is left
/// alone: a paid invoice is refunded, not voided (<see cref="RecordRefund"/>).
/// </summary>
internal sealed class DropVoidedUsageCharge(MarketplaceDbContext db, TimeProvider clock)
    : IdempotentConsumer<UsageChargeVoided, MarketplaceDbContext>(db, clock)
{
    protected override async Task HandleAsync(UsageChargeVoided integrationEvent, CancellationToken cancellationToken)
    {
        if (await Db.RevenueEvents.AnyAsync(e => e.SourceId == $"usage:{integrationEvent.ChargeId}", cancellationToken))
        {
            return;
        }

        var row = await Db.UncollectedUsageCharges.SingleOrDefaultAsync(c => c.ChargeId == integrationEvent.ChargeId, cancellationToken);
        if (row is not null)
        {
            row.VoidedAt ??= integrationEvent.OccurredAt;
            row.UpdatedAt = integrationEvent.OccurredAt;
            return;
        }

        var plugin = await Db.Plugins.AsNoTracking().Where(p => p.Id == integrationEvent.PluginId).Select(p => new { p.Id, p.DeveloperId })
            .SingleOrDefaultAsync(cancellationToken);
        if (plugin is null)
        {
            return;
        }

        // Voided before its billing reached us: the tombstone alone, so that billing changes nothing when it comes.
        Db.UncollectedUsageCharges.Add(new UncollectedUsageCharge
        {
            ChargeId = integrationEvent.ChargeId,
            DeveloperId = plugin.DeveloperId,
            PluginId = plugin.Id,
            UserId = integrationEvent.UserId,
            UsageInvoiceId = integrationEvent.UsageInvoiceId,
            Period = integrationEvent.Period,
            Gross = integrationEvent.Amount,
            DeveloperShare = 0,
            Currency = integrationEvent.Currency,
            UpdatedAt = integrationEvent.OccurredAt,
            VoidedAt = integrationEvent.OccurredAt,
        });
    }
}
