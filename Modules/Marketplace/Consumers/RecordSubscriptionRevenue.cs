using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Consumers;

/// <summary>
/// <c>InvoicePaid</c>: every line that belongs to a plugin becomes one revenue event (source <c>{invoice}:{line}</c>, so a
/// renewal's line is a new event and a redelivered invoice adds nothing). A line is matched by its
/// <c>metadata[install_id]</c>, else its subscription item, else <c>metadata[plugin_id]</c>, else its price (proration
/// lines are invoice items that carry only the price; the install is then the user's latest of that plugin); other lines (the plan) are
/// not marketplace revenue. Zero-amount lines (trials) are skipped; negative lines (proration credits) are negative events.
/// </summary>
internal sealed class RecordSubscriptionRevenue(MarketplaceDbContext db, TimeProvider clock, RevenueLedger ledger)
    : IdempotentConsumer<InvoicePaid, MarketplaceDbContext>(db, clock)
{
    /// <summary>Is there an install on this subscription item, or a plugin with this price? (One statement: EXISTS over a UNION ALL of two index seeks.)</summary>
    private static readonly Func<MarketplaceDbContext, string, string, Task<bool>> AnyPluginOrInstall = EF.CompileAsyncQuery(
        (MarketplaceDbContext db, string itemId, string priceId) =>
            db.Installs.Where(i => i.StripeSubscriptionItemId == itemId).Select(i => 1)
                .Concat(db.Plugins.Where(p => p.StripePriceId == priceId).Select(p => 1))
                .Any());

    /// <summary>
    /// Only invoices with a line that may belong to a plugin (it names an install or plugin in its metadata, or an install
    /// has its subscription item, or a plugin has its price): the plan's renewals write nothing here, not even an inbox row.
    /// A superset of what <see cref="MatchAsync"/> matches, so no plugin line is ever declined.
    /// </summary>
    protected override async ValueTask<bool> ConcernsAsync(InvoicePaid integrationEvent, CancellationToken cancellationToken)
    {
        foreach (var line in integrationEvent.Lines.Where(l => l.Amount != 0))
        {
            if (line.Metadata.ContainsKey("install_id") || line.Metadata.ContainsKey("plugin_id")
                || await AnyPluginOrInstall(Db, line.SubscriptionItemId ?? "", line.PriceId ?? ""))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// <see cref="ConcernsAsync"/> for a run of invoices (a renewal burst) with the run's keys asked together
    /// (<see cref="PluginLineKeys"/>): the subscription items among the run's lines that an install has, and the prices among
    /// them that a plugin has. The same answer per invoice as <see cref="ConcernsAsync"/> (an install's item, or a plugin's
    /// price, or the metadata names one).
    /// </summary>
    protected override async ValueTask<bool[]?> ConcernsRunAsync(IReadOnlyList<InvoicePaid> integrationEvents, CancellationToken cancellationToken)
    {
        var itemIds = new HashSet<string>(StringComparer.Ordinal);
        var priceIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in integrationEvents.SelectMany(e => e.Lines).Where(l => l.Amount != 0))
        {
            if (line.SubscriptionItemId is { } itemId)
            {
                itemIds.Add(itemId);
            }

            if (line.PriceId is { } priceId)
            {
                priceIds.Add(priceId);
            }
        }

        var (installedItems, pluginPrices) = await PluginLineKeys.KnownAsync(Db, itemIds, priceIds, cancellationToken);
        return integrationEvents
            .Select(e => e.Lines.Any(line => line.Amount != 0
                && (line.Metadata.ContainsKey("install_id") || line.Metadata.ContainsKey("plugin_id")
                    || (line.SubscriptionItemId is { } item && installedItems.Contains(item))
                    || (line.PriceId is { } price && pluginPrices.Contains(price)))))
            .ToArray();
    }

    protected override async Task HandleAsync(InvoicePaid integrationEvent, CancellationToken cancellationToken)
    {
        foreach (var line in integrationEvent.Lines.Where(l => l.Amount != 0))
        {
            var (plugin, install) = await MatchAsync(integrationEvent, line, cancellationToken);
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

    /// <summary>The plugin (and install, when known) a line belongs to, in the order of the class comment; (null, null) for the plan's lines.</summary>
    private async Task<(Plugin? Plugin, Install? Install)> MatchAsync(InvoicePaid integrationEvent, InvoiceLine line, CancellationToken cancellationToken)
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
        if (plugin is null && line.PriceId is { } priceId)
        {
            // Proration lines (a plugin added or removed mid-period) are invoice items: Stripe gives them the price
            // but neither the subscription item nor its metadata.
            plugin = await Db.Plugins.SingleOrDefaultAsync(x => x.StripePriceId == priceId, cancellationToken);
            if (plugin is not null && integrationEvent.UserId is { Length: > 0 } userId)
            {
                install = await Db.Installs.Where(i => i.PluginId == plugin.Id && i.UserId == userId)
                    .OrderByDescending(i => i.CreatedAt).FirstOrDefaultAsync(cancellationToken);
            }
        }

        return (plugin, install);
    }
}
