using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Referrals.Data;
using Monetization.Referrals.Domain;

namespace Monetization.Referrals.Consumers;

/// <summary>
/// Keeps each user's subscription status, access tier and Stripe customer from <see cref="SubscriptionChanged"/>, so
/// capture can refuse users who already pay. Applies a change only when its <c>Version</c> is above the last applied
/// (delivery may be out of order).
/// </summary>
internal sealed class TrackSubscription(ReferralsDbContext db, TimeProvider clock)
    : IdempotentConsumer<SubscriptionChanged, ReferralsDbContext>(db, clock)
{
    protected override async Task HandleAsync(SubscriptionChanged integrationEvent, CancellationToken cancellationToken)
    {
        if (await Erasure.IsStaleAsync(Db, integrationEvent.UserId, integrationEvent.OccurredAt, cancellationToken))
        {
            return;
        }

        var now = Clock.GetUtcNow();
        var user = await Db.FindOrAddUserAsync(integrationEvent.UserId, now, cancellationToken);
        if (integrationEvent.Version <= user.SubscriptionVersion)
        {
            return;
        }

        user.SubscriptionVersion = integrationEvent.Version;
        user.SubscriptionStatus = integrationEvent.Status;
        user.AccessTier = integrationEvent.AccessTier;
        user.StripeCustomerId = integrationEvent.StripeCustomerId ?? user.StripeCustomerId;
        user.UpdatedAt = now;
    }
}
