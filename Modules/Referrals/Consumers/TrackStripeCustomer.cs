using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Referrals.Data;
using Monetization.Referrals.Domain;

namespace Monetization.Referrals.Consumers;

/// <summary>Keeps each user's Stripe customer id and normalised e-mail (for the self-referral rule) from <see cref="StripeCustomerLinked"/>.</summary>
internal sealed class TrackStripeCustomer(ReferralsDbContext db, TimeProvider clock)
    : IdempotentConsumer<StripeCustomerLinked, ReferralsDbContext>(db, clock)
{
    protected override async Task HandleAsync(StripeCustomerLinked integrationEvent, CancellationToken cancellationToken)
    {
        if (await Erasure.IsStaleAsync(Db, integrationEvent.UserId, integrationEvent.OccurredAt, cancellationToken))
        {
            return;
        }

        var now = Clock.GetUtcNow();
        var user = await Db.FindOrAddUserAsync(integrationEvent.UserId, now, cancellationToken);

        user.StripeCustomerId = integrationEvent.StripeCustomerId;
        user.EmailNormalized = EmailAddress.Normalize(integrationEvent.Email) ?? user.EmailNormalized;
        user.UpdatedAt = now;
    }
}
