using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Usage;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Consumers;

/// <summary>
/// <c>UsageChargeBilled</c>: a plugin's usage charge is invoiced but not paid (or its payment failed), so the developer's
/// share is kept as uncollected (shown in earnings, never payable). Nothing when the charge was paid already (the events
/// of one charge can arrive out of order), and nothing changes a charge voided already (its row is a tombstone).
/// </summary>
internal sealed class RecordUncollectedUsageCharge(MarketplaceDbContext db, TimeProvider clock)
    : IdempotentConsumer<UsageChargeBilled, MarketplaceDbContext>(db, clock)
{
    protected override async Task HandleAsync(UsageChargeBilled integrationEvent, CancellationToken cancellationToken)
    {
        var source = $"usage:{integrationEvent.ChargeId}";
        if (await Db.RevenueEvents.AnyAsync(e => e.SourceId == source, cancellationToken))
        {
            return;
        }

        var plugin = await Db.Plugins.AsNoTracking().Where(p => p.Id == integrationEvent.PluginId).Select(p => new { p.Id, p.DeveloperId })
            .SingleOrDefaultAsync(cancellationToken);
        if (plugin is null || integrationEvent.Amount == 0)
        {
            return;
        }

        var bps = await Db.Developers.AsNoTracking().Where(d => d.Id == plugin.DeveloperId).Select(d => d.RevenueShareBps).SingleAsync(cancellationToken);
        var share = Money.Of(integrationEvent.Amount, integrationEvent.Currency).SplitBps(bps).Share.Amount;
        var row = await Db.UncollectedUsageCharges.SingleOrDefaultAsync(c => c.ChargeId == integrationEvent.ChargeId, cancellationToken);
        if (row is null)
        {
            Db.UncollectedUsageCharges.Add(new UncollectedUsageCharge
            {
                ChargeId = integrationEvent.ChargeId,
                DeveloperId = plugin.DeveloperId,
                PluginId = plugin.Id,
                UserId = integrationEvent.UserId,
                UsageInvoiceId = integrationEvent.UsageInvoiceId,
                Period = integrationEvent.Period,
                Gross = integrationEvent.Amount,
                DeveloperShare = share,
                Currency = integrationEvent.Currency,
                PaymentFailed = integrationEvent.PaymentFailed,
                UpdatedAt = integrationEvent.OccurredAt,
            });
        }
        else if (row.VoidedAt is null && integrationEvent.OccurredAt >= row.UpdatedAt)
        {
            row.PaymentFailed = integrationEvent.PaymentFailed;
            row.UpdatedAt = integrationEvent.OccurredAt;
        }
    }
}
