using Microsoft.EntityFrameworkCore;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;

namespace Monetization.Subscriptions.Jobs;

/// <summary>
/// Publishes <c>SubscriptionChanged</c> when access changes with no Stripe event: a grace period or a referral credit ran out
/// (accounts whose <c>NextAccessCheckAt</c> has passed). Each account is recomputed in its own transaction.
/// </summary>
internal sealed class AccessExpiryJob(SubscriptionsDbContext db, PlanCatalog catalog, TimeProvider clock)
{
    /// <summary>Recomputes due accounts; returns how many were checked.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await db.Accounts.AsNoTracking().Where(a => a.NextAccessCheckAt != null && a.NextAccessCheckAt <= now)
            .OrderBy(a => a.NextAccessCheckAt).Take(500).Select(a => a.UserId).ToListAsync(ct);
        foreach (var userId in due)
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.BeginWriteTransactionAsync(ct);
            var account = await db.Accounts.FirstAsync(a => a.UserId == userId, ct);
            AccessCalculator.PublishIfChanged(db, account, catalog, now);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        db.ChangeTracker.Clear();
        return due.Count;
    }
}
