using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;
using Monetization.Marketplace.Features.StripeCalls;

namespace Monetization.Marketplace.Consumers;

/// <summary>
/// <c>FirstPaidTransition</c> (the design card): the user paid for the first time, so their pending monthly installs
/// become billable, each as a prorated item on the subscription the payment was for. The items are recorded as
/// <see cref="StripeCall"/>s in this transaction and added by the <see cref="StripeCallRunner"/> after it commits (the
/// install becomes active then); a Stripe failure is retried there, and the item's idempotency key makes a retry add one item.
/// </summary>
internal sealed class BillPendingInstallsOnFirstPayment(MarketplaceDbContext db, TimeProvider clock, MonthlyInstallBilling monthly, StripeCallRunner runner)
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
            await monthly.RequestAttachPendingAsync(integrationEvent.UserId, subscriptionId, cancellationToken);
            Db.AfterCommit(runner.Wake);
        }
    }
}
