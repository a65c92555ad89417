using Microsoft.EntityFrameworkCore;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;
using Monetization.Subscriptions.Features.HandleStripeEvents;

namespace Monetization.Subscriptions.Jobs;

/// <summary>Retries stored Stripe events whose processing failed, once their backoff has passed (oldest first).</summary>
internal sealed class StripeEventRetryJob(SubscriptionsDbContext db, StripeEventProcessor processor, TimeProvider clock)
{
    /// <summary>Retries due events; returns how many were attempted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await db.StripeEvents.AsNoTracking()
            .Where(e => e.Status == StripeEventStatuses.Failed && e.NextAttemptAt != null && e.NextAttemptAt <= now)
            .OrderBy(e => e.Created).ThenBy(e => e.ReceivedAt).Take(100).Select(e => e.Id).ToListAsync(ct);
        foreach (var id in due)
        {
            await processor.ReprocessAsync(id, force: false, ct);
        }

        return due.Count;
    }
}
