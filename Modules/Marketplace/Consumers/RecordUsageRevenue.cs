using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Usage;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Consumers;

/// <summary>
/// <c>UsageCharged</c>: a usage-priced plugin's charge was PAID (issue 20; credits count as paid), so it becomes one revenue
/// event (source = the charge id, earned when paid, with the Stripe invoice so a refund of it is matched by
/// <see cref="RecordRefund"/>), and leaves the uncollected charges.
/// </summary>
internal sealed class RecordUsageRevenue(MarketplaceDbContext db, TimeProvider clock, RevenueLedger ledger)
    : IdempotentConsumer<UsageCharged, MarketplaceDbContext>(db, clock)
{
    protected override async Task HandleAsync(UsageCharged integrationEvent, CancellationToken cancellationToken)
    {
        await Db.UncollectedUsageCharges.Where(c => c.ChargeId == integrationEvent.ChargeId).ExecuteDeleteAsync(cancellationToken);
        var plugin = await Db.Plugins.SingleOrDefaultAsync(p => p.Id == integrationEvent.PluginId, cancellationToken);
        if (plugin is null || integrationEvent.Amount == 0)
        {
            return;
        }

        var install = await Db.Installs.AsNoTracking()
            .Where(i => i.PluginId == plugin.Id && i.UserId == integrationEvent.UserId)
            .OrderByDescending(i => i.CreatedAt).Select(i => i.Id).FirstOrDefaultAsync(cancellationToken);
        await ledger.RecordAsync(
            new RevenueSource($"usage:{integrationEvent.ChargeId}", RevenueKinds.Usage, plugin, integrationEvent.Amount, integrationEvent.Currency, integrationEvent.OccurredAt)
            {
                InstallId = install,
                UserId = integrationEvent.UserId,
                StripeInvoiceId = integrationEvent.StripeInvoiceId,
            },
            cancellationToken);
    }
}
