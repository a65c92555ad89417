using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Consumers;

/// <summary>
/// <c>FirstPaidTransition</c> (the design card): the user paid for the first time, so their pending monthly installs
/// become billable, each as a prorated item on the subscription the payment was for. A Stripe failure fails the
/// delivery (nothing is kept) and the dispatcher retries; the item's idempotency key makes the retry add one item.
/// </summary>
internal sealed class BillPendingInstallsOnFirstPayment(MarketplaceDbContext db, TimeProvider clock, MonthlyInstallBilling monthly)
    : IdempotentConsumer<FirstPaidTransition, MarketplaceDbContext>(db, clock)
{
    protected override async Task HandleAsync(FirstPaidTransition integrationEvent, CancellationToken cancellationToken)
    {
        var subscriber = await Db.Subscribers.SingleOrDefaultAsync(s => s.UserId == integrationEvent.UserId, cancellationToken);
        if (subscriber is null)
        {
            subscriber = new Subscriber { UserId = integrationEvent.UserId };
            Db.Subscribers.Add(subscriber);
        }

        subscriber.FirstPaidAt ??= integrationEvent.OccurredAt;
        subscriber.StripeCustomerId ??= integrationEvent.StripeCustomerId;
        subscriber.StripeSubscriptionId ??= integrationEvent.StripeSubscriptionId;
        if (integrationEvent.StripeSubscriptionId is { } subscriptionId)
        {
            await Db.SaveChangesAsync(cancellationToken);
            await monthly.AttachPendingAsync(integrationEvent.UserId, subscriptionId, cancellationToken);
        }
    }
}
