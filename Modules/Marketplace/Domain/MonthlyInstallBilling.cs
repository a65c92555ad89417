using StripeNet = Stripe;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monetization.BuildingBlocks.Billing;
using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Marketplace;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Features.StripeCalls;

namespace Monetization.Marketplace.Domain;

/// <summary>
/// Makes monthly installs billable: adds the plugin's price as an item of the user's Stripe subscription (prorated for a
/// user who already pays; from the next billing date for a pending install activated by the first payment), with <c>metadata[plugin_id]</c>, <c>[install_id]</c>, <c>[user_id]</c>
/// and <c>[developer_id]</c> so invoice lines can be matched. The idempotency key is derived from the install and
/// subscription (<c>marketplace:install:{install}:item:{subscription}</c>), so a retried call adds one item.
/// <para>The install route calls Stripe directly (no transaction is open; when Stripe fails it takes the install back and answers 503/502 by the one Stripe rule). Consumers
/// only record a <see cref="StripeCall"/> in their transaction (<see cref="RequestAttachPendingAsync"/>); the
/// <see cref="StripeCallRunner"/> makes the call afterwards and activates the install (<see cref="CompleteAttachAsync"/>).</para>
/// </summary>
internal sealed class MonthlyInstallBilling(MarketplaceDbContext db, IServiceProvider services, RevenueLedger ledger, TimeProvider clock)
{
    /// <summary>The idempotency key of adding <paramref name="installId"/> to <paramref name="subscriptionId"/>.</summary>
    public static string ItemKey(string installId, string subscriptionId) => $"marketplace:install:{installId}:item:{subscriptionId}";

    /// <summary>
    /// The subscription item Stripe is asked to create for an install. <paramref name="prorate"/>: an install made by a
    /// user who already pays is charged for the rest of the current period (<c>create_prorations</c>); a pending install
    /// that becomes billable at the user's first payment is charged from the subscription's next billing date
    /// (<c>none</c>), so the bill does not depend on whether a referral credit's deferral of that date (Subscriptions)
    /// reaches Stripe before or after the item: a trialing subscription is never prorated by Stripe, so prorating here
    /// would charge a partial month only when the item happened to win the race.
    /// </summary>
    public static StripeNet.SubscriptionItemCreateOptions ItemRequest(string subscriptionId, string? priceId, string pluginId, string installId, string userId, string developerId, bool prorate) => new()
    {
        Subscription = subscriptionId,
        Price = priceId,
        Quantity = 1,
        ProrationBehavior = prorate ? "create_prorations" : "none",
        Metadata = new Dictionary<string, string>
        {
            ["plugin_id"] = pluginId,
            ["install_id"] = installId,
            ["user_id"] = userId,
            ["developer_id"] = developerId,
        },
    };

    /// <summary>Adds the item now and activates the install (the caller saves). Used by the install route, outside any transaction.</summary>
    /// <exception cref="StripeNet.StripeException">Stripe failed.</exception>
    public async Task AttachAsync(Install install, Plugin plugin, string subscriptionId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(install);
        ArgumentNullException.ThrowIfNull(plugin);
        var item = await services.GetRequiredService<StripeNet.StripeClient>().V1.SubscriptionItems.CreateAsync(
            ItemRequest(subscriptionId, plugin.StripePriceId, plugin.Id, install.Id, install.UserId, plugin.DeveloperId, prorate: true),
            new StripeNet.RequestOptions { IdempotencyKey = ItemKey(install.Id, subscriptionId) },
            ct);
        await ActivateAsync(install, plugin, subscriptionId, item.Id, ct);
    }

    /// <summary>
    /// Records a <see cref="StripeCall"/> adding each pending monthly install of a user who now pays on
    /// <paramref name="subscriptionId"/> (the caller saves, in its transaction). An install already asked for on that
    /// subscription is not asked again.
    /// </summary>
    public async Task RequestAttachPendingAsync(string userId, string subscriptionId, CancellationToken ct)
    {
        var pending = await db.Installs
            .Where(i => i.UserId == userId && i.Status == InstallStatuses.Pending && i.PricingModel == PricingModels.Monthly)
            .OrderBy(i => i.CreatedAt)
            .ToListAsync(ct);
        var now = clock.GetUtcNow();
        foreach (var install in pending)
        {
            var key = ItemKey(install.Id, subscriptionId);
            if (db.StripeCalls.Local.Any(c => c.IdempotencyKey == key) || await db.StripeCalls.AnyAsync(c => c.IdempotencyKey == key, ct))
            {
                continue;
            }

            db.StripeCalls.Add(new StripeCall
            {
                Id = PrefixedId.New("scall"),
                Kind = StripeCallKinds.CreateSubscriptionItem,
                IdempotencyKey = key,
                InstallId = install.Id,
                SubscriptionId = subscriptionId,
                NextAttemptAt = now,
                CreatedAt = now,
            });
        }
    }

    /// <summary>
    /// Records the item Stripe created for <paramref name="call"/> (in the runner's transaction; the caller saves). The
    /// install becomes active when it is still pending and the user still pays on that subscription; otherwise (it was
    /// uninstalled, or the subscription ended or changed meanwhile) the item is not wanted and its deletion is recorded.
    /// </summary>
    public async Task CompleteAttachAsync(StripeCall call, string itemId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(call);
        var install = await db.Installs.SingleAsync(i => i.Id == call.InstallId, ct);
        if (install.StripeSubscriptionItemId == itemId)
        {
            return;
        }

        var subscriber = await db.Subscribers.AsNoTracking().SingleOrDefaultAsync(s => s.UserId == install.UserId, ct);
        if (install.Status == InstallStatuses.Pending && subscriber is { IsPaying: true } && subscriber.StripeSubscriptionId == call.SubscriptionId)
        {
            var plugin = await db.Plugins.SingleAsync(p => p.Id == install.PluginId, ct);
            await ActivateAsync(install, plugin, call.SubscriptionId!, itemId, ct);
            return;
        }

        var now = clock.GetUtcNow();
        db.StripeCalls.Add(new StripeCall
        {
            Id = PrefixedId.New("scall"),
            Kind = StripeCallKinds.DeleteSubscriptionItem,
            IdempotencyKey = $"marketplace:install:{install.Id}:item:{itemId}:delete",
            InstallId = install.Id,
            SubscriptionItemId = itemId,
            NextAttemptAt = now,
            CreatedAt = now,
        });
    }

    private async Task ActivateAsync(Install install, Plugin plugin, string subscriptionId, string itemId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        install.Status = InstallStatuses.Active;
        install.StripeSubscriptionItemId = itemId;
        install.StripeSubscriptionId = subscriptionId;
        install.ActivatedAt = now;
        await ledger.CountInstallAsync(plugin, now, +1, ct);
        db.AddIntegrationEvent(new PluginInstalled(IntegrationEventIds.New(now), now, install.Id, plugin.Id, plugin.DeveloperId, install.UserId, install.PricingModel, install.Status));
    }
}
