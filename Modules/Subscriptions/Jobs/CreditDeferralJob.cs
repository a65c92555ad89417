using StripeNet = Stripe;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Monetization.Stripe;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;

namespace Monetization.Subscriptions.Jobs;

/// <summary>Wakes the scheduler when a credit deferral is queued (it also polls).</summary>
internal sealed class CreditDeferralSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // already signalled
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

/// <summary>
/// Sends queued referral-credit deferrals to Stripe, outside any database transaction: for a paying user the next charge
/// moves by the credited days (<c>trial_end</c> = current period end, or current trial end, + days; <c>proration_behavior=none</c>),
/// so a credit is worth the same to a paying user as to a free one. The target is computed once from Stripe's current
/// subscription and stored before the call, so a retry sends the same value (idempotency key <c>credit-deferral:{grant}</c>).
/// A reversed grant whose deferral was sent is undone the same way (<c>trial_end</c> − days, or ending the trial now).
/// With several Hosts each grant is claimed before it is worked on (issue 17): one conditional update moves its next
/// attempt <see cref="ClaimLease"/> ahead, and only the Host whose update matched goes on; a Host that dies mid-way leaves
/// the grant to the next claim once the lease runs out, and its stored target makes the retry send the same value.
/// </summary>
internal sealed partial class CreditDeferralJob(SubscriptionsDbContext db, StripeNet.StripeClient stripe, TimeProvider clock, ILogger<CreditDeferralJob> logger)
{
    private const int MaxAttempts = 8;

    /// <summary>How long a claimed grant is left to the Host that claimed it (longer than its Stripe calls with their retries).</summary>
    private static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(2);

    // One run at a time in this process: a second run that loaded a grant before the first stored its target would read
    // the subscription already `trialing` and anchor on the new trial_end, deferring twice.
    private static readonly SemaphoreSlim OneRunAtATime = new(1, 1);

    /// <summary>Processes due deferrals and undos (one run at a time per process); returns how many were attempted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await OneRunAtATime.WaitAsync(ct);
        try
        {
            return await RunDueAsync(ct);
        }
        finally
        {
            OneRunAtATime.Release();
        }
    }

    private async Task<int> RunDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await db.CreditGrants.AsNoTracking()
            .Where(g => (g.DeferralState == DeferralStates.Pending || g.DeferralState == DeferralStates.UndoPending) && (g.DeferralNextAttemptAt == null || g.DeferralNextAttemptAt <= now))
            .OrderBy(g => g.GrantedAt).Take(50).Select(g => g.GrantId).ToListAsync(ct);
        foreach (var grantId in due)
        {
            db.ChangeTracker.Clear();
            var leaseUntil = now + ClaimLease;
            var claimed = await db.CreditGrants
                .Where(g => g.GrantId == grantId && (g.DeferralState == DeferralStates.Pending || g.DeferralState == DeferralStates.UndoPending)
                    && (g.DeferralNextAttemptAt == null || g.DeferralNextAttemptAt <= now))
                .ExecuteUpdateAsync(s => s.SetProperty(g => g.DeferralNextAttemptAt, leaseUntil), ct);
            if (claimed == 0)
            {
                continue; // another Host has it (or it is done)
            }

            var grant = await db.CreditGrants.FirstAsync(g => g.GrantId == grantId, ct);
            try
            {
                if (grant.DeferralState == DeferralStates.Pending)
                {
                    await DeferAsync(grant, ct);
                }
                else
                {
                    await UndoAsync(grant, ct);
                }
            }
            catch (StripeNet.StripeException e)
            {
                grant.DeferralAttempts++;
                grant.DeferralError = e.Message;
                grant.DeferralNextAttemptAt = grant.DeferralAttempts >= MaxAttempts ? null : now.AddSeconds(30 * Math.Pow(2, grant.DeferralAttempts));
                if (grant.DeferralAttempts >= MaxAttempts)
                {
                    grant.DeferralState = DeferralStates.Failed;
                }

                LogFailed(logger, grant.GrantId, e);
            }

            if (grant.DeferralState is not (DeferralStates.Pending or DeferralStates.UndoPending))
            {
                grant.DeferralNextAttemptAt = null; // settled: the claim's lease is over
            }

            await db.SaveChangesAsync(ct);
        }

        db.ChangeTracker.Clear();
        return due.Count;
    }

    private async Task DeferAsync(CreditGrant grant, CancellationToken ct)
    {
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.UserId == grant.UserId, ct);
        if (account is null || account.StripeSubscriptionId != grant.DeferralSubscriptionId)
        {
            grant.DeferralState = DeferralStates.None;
            grant.DeferralError = "the subscription changed before the deferral was sent";
            return;
        }

        if (grant.DeferralTarget is null)
        {
            var sub = await stripe.V1.Subscriptions.GetAsync(grant.DeferralSubscriptionId!, cancellationToken: ct);
            var anchor = sub.Status == SubscriptionStatuses.Trialing ? StripeDates.Utc(sub.TrialEnd) : StripeDates.Utc(sub.Items?.Data.FirstOrDefault()?.CurrentPeriodEnd);
            if (sub.Status is not (SubscriptionStatuses.Active or SubscriptionStatuses.Trialing) || sub.CancelAtPeriodEnd || anchor is null)
            {
                grant.DeferralState = DeferralStates.None;
                grant.DeferralError = $"the subscription is {sub.Status}{(sub.CancelAtPeriodEnd ? " and ends at the period end" : "")}: no charge to defer";
                return;
            }

            grant.DeferralTarget = anchor.Value.AddDays(grant.Days);
            account.DeferredUntil = grant.DeferralTarget;
            await db.SaveChangesAsync(ct); // stored before Stripe is called: a retry sends the same trial_end
        }

        account.DeferredUntil = grant.DeferralTarget;
        await stripe.V1.Subscriptions.UpdateAsync(
            grant.DeferralSubscriptionId!,
            new StripeNet.SubscriptionUpdateOptions { TrialEnd = grant.DeferralTarget.Value.UtcDateTime, ProrationBehavior = "none" },
            new StripeNet.RequestOptions { IdempotencyKey = $"credit-deferral:{grant.GrantId}" },
            ct);
        grant.DeferralState = DeferralStates.Done;
        grant.DeferralError = null;
    }

    private async Task UndoAsync(CreditGrant grant, CancellationToken ct)
    {
        var sub = await stripe.V1.Subscriptions.GetAsync(grant.DeferralSubscriptionId!, cancellationToken: ct);
        if (sub.Status != SubscriptionStatuses.Trialing || StripeDates.Utc(sub.TrialEnd) is not { } trialEnd)
        {
            grant.DeferralState = DeferralStates.Undone;
            grant.DeferralError = "the deferral had already run out";
            return;
        }

        var target = trialEnd.AddDays(-grant.Days);
        var endNow = target <= clock.GetUtcNow().AddMinutes(1);
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.UserId == grant.UserId, ct);
        if (account is not null && !endNow)
        {
            account.DeferredUntil = target;
        }

        await stripe.V1.Subscriptions.UpdateAsync(
            grant.DeferralSubscriptionId!,
            new StripeNet.SubscriptionUpdateOptions
            {
                TrialEnd = endNow ? StripeNet.SubscriptionTrialEnd.Now : target.UtcDateTime,
                ProrationBehavior = "none",
            },
            new StripeNet.RequestOptions { IdempotencyKey = $"credit-deferral-undo:{grant.GrantId}" },
            ct);
        grant.DeferralState = DeferralStates.Undone;
        grant.DeferralError = null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Credit deferral of grant {GrantId} failed")]
    private static partial void LogFailed(ILogger logger, string grantId, Exception error);
}
