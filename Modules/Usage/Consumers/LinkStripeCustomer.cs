using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Consumers;

/// <summary>Keeps the user's Stripe customer id (for usage invoices and checkouts) from <see cref="StripeCustomerLinked"/>.</summary>
internal sealed class LinkStripeCustomer(UsageDbContext db, TimeProvider clock) : IdempotentConsumer<StripeCustomerLinked, UsageDbContext>(db, clock)
{
    protected override async Task HandleAsync(StripeCustomerLinked integrationEvent, CancellationToken cancellationToken)
    {
        var account = await Db.Accounts.FirstOrDefaultAsync(a => a.UserId == integrationEvent.UserId, cancellationToken);
        if (account is null)
        {
            Db.Accounts.Add(new UsageAccount { UserId = integrationEvent.UserId, StripeCustomerId = integrationEvent.StripeCustomerId, UpdatedAt = Clock.GetUtcNow() });
            return;
        }

        account.StripeCustomerId = integrationEvent.StripeCustomerId;
        account.UpdatedAt = Clock.GetUtcNow();
    }
}
