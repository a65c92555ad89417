using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;
using Monetization.Marketplace.Features.StripeCalls;

namespace Monetization.Marketplace.Consumers;

/// <summary>
/// <c>SubscriptionChanged</c>: keeps the user's subscription locally (latest <c>Version</c> wins). When the user pays on a
/// subscription, their pending monthly installs are added to it (recorded as <see cref="StripeCall"/>s, made by the
/// <see cref="StripeCallRunner"/> after this transaction commits). When the subscription the items were on ends
/// (<c>canceled</c>, <c>incomplete_expired</c>, or a different subscription), those installs go back to <c>pending</c>:
/// Stripe removed their items with the subscription, and they become billable again when the user pays again.
/// </summary>
internal sealed class TrackSubscription(MarketplaceDbContext db, TimeProvider clock, MonthlyInstallBilling monthly, RevenueLedger ledger, StripeCallRunner runner)
    : IdempotentConsumer<SubscriptionChanged, MarketplaceDbContext>(db, clock)
{
    protected override async Task HandleAsync(SubscriptionChanged integrationEvent, CancellationToken cancellationToken)
    {
        var subscriber = await Db.Subscribers.SingleOrDefaultAsync(s => s.UserId == integrationEvent.UserId, cancellationToken);
        if (subscriber is null)
        {
            subscriber = new Subscriber { UserId = integrationEvent.UserId };
            Db.Subscribers.Add(subscriber);
        }
        else if (integrationEvent.Version <= subscriber.Version)
        {
            return;
        }

        subscriber.Version = integrationEvent.Version;
        subscriber.Status = integrationEvent.Status;
        subscriber.StripeCustomerId = integrationEvent.StripeCustomerId ?? subscriber.StripeCustomerId;
        subscriber.StripeSubscriptionId = integrationEvent.StripeSubscriptionId;

        var ended = integrationEvent.Status is "canceled" or "incomplete_expired" or "none";
        var billed = await Db.Installs
            .Where(i => i.UserId == integrationEvent.UserId && i.Status == InstallStatuses.Active && i.StripeSubscriptionItemId != null)
            .ToListAsync(cancellationToken);
        var now = Clock.GetUtcNow();
        foreach (var install in billed.Where(i => ended || i.StripeSubscriptionId != integrationEvent.StripeSubscriptionId))
        {
            var plugin = await Db.Plugins.SingleAsync(p => p.Id == install.PluginId, cancellationToken);
            install.Status = InstallStatuses.Pending;
            install.StripeSubscriptionItemId = null;
            install.StripeSubscriptionId = null;
            await ledger.CountInstallAsync(plugin, now, -1, cancellationToken);
        }

        if (subscriber.IsPaying && !ended)
        {
            await monthly.RequestAttachPendingAsync(subscriber.UserId, subscriber.StripeSubscriptionId!, cancellationToken);
            Db.AfterCommit(runner.Wake);
        }
    }
}
