using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents;
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
    /// <summary>Only plugin purchases: any other checkout writes nothing here, not even an inbox row.</summary>
    protected override ValueTask<bool> ConcernsAsync(CheckoutCompleted integrationEvent, CancellationToken cancellationToken) =>
        ValueTask.FromResult(integrationEvent.Purpose == CheckoutPurposes.MarketplacePlugin);

    protected override Task HandleAsync(CheckoutCompleted integrationEvent, CancellationToken cancellationToken) =>
        HandleRunAsync([integrationEvent], cancellationToken);

    /// <summary>
    /// A run of purchases with one read each of their installs, plugins and already recorded sessions (a burst of sales is
    /// one transaction of a few queries, issue 22); the same effects, in the same order, as handling them one by one.
    /// </summary>
    protected override async Task HandleRunAsync(IReadOnlyList<CheckoutCompleted> integrationEvents, CancellationToken cancellationToken)
    {
        var installIds = integrationEvents.Select(InstallIdOf).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var sessions = integrationEvents.Select(e => e.CheckoutSessionId).Distinct(StringComparer.Ordinal).ToList();
        var installs = await Db.Installs
            .Where(i => installIds.Contains(i.Id) || (i.CheckoutSessionId != null && sessions.Contains(i.CheckoutSessionId)))
            .ToListAsync(cancellationToken);
        var purchases = new List<(CheckoutCompleted Event, Install? Install, string? PluginId)>(integrationEvents.Count);
        foreach (var e in integrationEvents)
        {
            var installId = InstallIdOf(e);
            var install = installs.FirstOrDefault(i => installId != null && i.Id == installId) ?? installs.FirstOrDefault(i => i.CheckoutSessionId == e.CheckoutSessionId);
            purchases.Add((e, install, install?.PluginId ?? (e.Metadata.TryGetValue("plugin_id", out var p) ? p : null)));
        }

        var pluginIds = purchases.Select(p => p.PluginId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var plugins = (await Db.Plugins.Where(p => pluginIds.Contains(p.Id)).ToListAsync(cancellationToken)).ToDictionary(p => p.Id, StringComparer.Ordinal);
        var paid = purchases.Where(p => p.PluginId is not null && plugins.ContainsKey(p.PluginId)).ToList();
        await ledger.RecordManyAsync(
            paid.Select(p => new RevenueSource(p.Event.CheckoutSessionId, RevenueKinds.Purchase, plugins[p.PluginId!], p.Event.AmountTotal, p.Event.Currency, p.Event.OccurredAt)
            {
                InstallId = p.Install?.Id,
                UserId = p.Install?.UserId ?? p.Event.UserId,
                StripePaymentIntentId = p.Event.PaymentIntentId,
            }).ToList(),
            cancellationToken);

        var now = Clock.GetUtcNow();
        foreach (var (e, install, pluginId) in paid)
        {
            if (install is { Status: InstallStatuses.PendingPayment })
            {
                var plugin = plugins[pluginId!];
                install.Status = InstallStatuses.Active;
                install.ActivatedAt = now;
                install.CheckoutSessionId = e.CheckoutSessionId;
                await ledger.CountInstallAsync(plugin, now, +1, cancellationToken);
                Db.AddIntegrationEvent(new PluginInstalled(IntegrationEventIds.New(now), now, install.Id, plugin.Id, plugin.DeveloperId, install.UserId, install.PricingModel, install.Status));
            }
        }
    }

    private static string? InstallIdOf(CheckoutCompleted e) => e.Metadata.TryGetValue("install_id", out var installId) ? installId : null;
}
