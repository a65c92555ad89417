using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monetization.IntegrationEvents.Marketplace;
using Monetization.Marketplace.Data;
using Monetization.Stripe;

namespace Monetization.Marketplace.Domain;

/// <summary>
/// Makes monthly installs billable: adds the plugin's price as an item of the user's Stripe subscription, prorated
/// (<c>proration_behavior=create_prorations</c>), with <c>metadata[plugin_id]</c>, <c>[install_id]</c>, <c>[user_id]</c>
/// and <c>[developer_id]</c> so invoice lines can be matched. The idempotency key is derived from the install and
/// subscription, so a retried call adds one item.
/// </summary>
internal sealed class MonthlyInstallBilling(MarketplaceDbContext db, IServiceProvider services, RevenueLedger ledger, TimeProvider clock)
{
    /// <summary>Adds the item and activates the install (the caller saves).</summary>
    /// <exception cref="StripeException">Stripe failed.</exception>
    public async Task AttachAsync(Install install, Plugin plugin, string subscriptionId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(install);
        ArgumentNullException.ThrowIfNull(plugin);
        var stripe = services.GetRequiredService<IStripeClient>();
        var item = await stripe.SubscriptionItems.CreateAsync(
            new SubscriptionItemCreateRequest
            {
                Subscription = subscriptionId,
                Price = plugin.StripePriceId,
                Quantity = 1,
                ProrationBehavior = "create_prorations",
                Metadata = new Dictionary<string, string>
                {
                    ["plugin_id"] = plugin.Id,
                    ["install_id"] = install.Id,
                    ["user_id"] = install.UserId,
                    ["developer_id"] = plugin.DeveloperId,
                },
            },
            new StripeRequestOptions { IdempotencyKey = $"marketplace:install:{install.Id}:item:{subscriptionId}" },
            ct);
        var now = clock.GetUtcNow();
        install.Status = InstallStatuses.Active;
        install.StripeSubscriptionItemId = item.Id;
        install.StripeSubscriptionId = subscriptionId;
        install.ActivatedAt = now;
        await ledger.CountInstallAsync(plugin, now, +1, ct);
        db.AddIntegrationEvent(new PluginInstalled(Guid.NewGuid(), now, install.Id, plugin.Id, plugin.DeveloperId, install.UserId, install.PricingModel, install.Status));
    }

    /// <summary>Attaches every pending monthly install of a user who now pays on <paramref name="subscriptionId"/> (the caller saves).</summary>
    public async Task AttachPendingAsync(string userId, string subscriptionId, CancellationToken ct)
    {
        var pending = await db.Installs
            .Where(i => i.UserId == userId && i.Status == InstallStatuses.Pending && i.PricingModel == PricingModels.Monthly)
            .OrderBy(i => i.CreatedAt)
            .ToListAsync(ct);
        foreach (var install in pending)
        {
            var plugin = await db.Plugins.SingleAsync(p => p.Id == install.PluginId, ct);
            await AttachAsync(install, plugin, subscriptionId, ct);
        }
    }
}
