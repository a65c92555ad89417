using StripeNet = Stripe;
using Microsoft.EntityFrameworkCore;
using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Subscriptions.Data;

namespace Monetization.Subscriptions.Domain;

/// <summary>
/// Gets or creates a user's Stripe customer without duplicates under concurrent calls: the user's row is inserted first
/// (unique per user), the customer is created with the idempotency key <c>customer:{user_id}</c> (so concurrent or retried
/// calls get the same customer from Stripe), and the id is recorded with a conditional update that only the first writer
/// wins; <see cref="StripeCustomerLinked"/> is published with it.
/// </summary>
internal sealed class StripeCustomerLink(SubscriptionsDbContext db, StripeNet.StripeClient stripe, TimeProvider clock)
{
    public async Task<string> EnsureAsync(string userId, string? email, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        db.ChangeTracker.Clear();
        var account = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.UserId == userId, ct);
        if (account?.StripeCustomerId is { } known)
        {
            return known;
        }

        if (account is null)
        {
            try
            {
                db.Accounts.Add(new BillingAccount { UserId = userId, Email = email, CreatedAt = now, UpdatedAt = now });
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // a concurrent call inserted the row first
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }

        var customer = await stripe.V1.Customers.CreateAsync(
            new StripeNet.CustomerCreateOptions { Email = email, Metadata = new Dictionary<string, string> { [MetadataKeys.UserId] = userId } },
            new StripeNet.RequestOptions { IdempotencyKey = $"customer:{userId}" },
            ct);

        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var linked = await db.Accounts.Where(a => a.UserId == userId && a.StripeCustomerId == null)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.StripeCustomerId, customer.Id).SetProperty(a => a.UpdatedAt, now).SetProperty(a => a.Email, a => a.Email ?? email), ct);
            if (linked == 1)
            {
                db.AddIntegrationEvent(new StripeCustomerLinked(IntegrationEventIds.New(now), now, userId, customer.Id, email));
                await db.SaveChangesAsync(ct);
            }

            await tx.CommitAsync(ct);
        }

        db.ChangeTracker.Clear();
        return await db.Accounts.AsNoTracking().Where(a => a.UserId == userId).Select(a => a.StripeCustomerId).FirstAsync(ct) ?? customer.Id;
    }
}
