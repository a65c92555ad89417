using StripeNet = Stripe;
using Monetization.Stripe;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Billing;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.StripeCalls;

/// <summary>
/// Makes the <see cref="StripeCall"/>s consumers recorded, outside any database transaction:
/// <list type="number">
/// <item>Lease: one conditional update takes every due call (pending, due, not leased by a live runner) with a fresh
/// lease token, for <c>Marketplace:PayoutLeaseSeconds</c>. It is a write, so it waits for a consumer's transaction that is
/// recording a call to commit, then sees it.</item>
/// <item>Call Stripe with the call's fixed idempotency key (no transaction open).</item>
/// <item>Record: in one short transaction, the call is marked done only if this runner still holds it, together with its
/// effect (the refund settled by the reversal; the install activated). A 4xx refusal applies the fallback (the reversal's
/// debt is carried into the next payout; the install stays pending). Any other failure leaves it pending, due again after
/// <c>StripeCallRetrySeconds</c> × 2^(attempts−1) (at most one hour), until <c>StripeCallMaxAttempts</c>.</item>
/// </list>
/// A crash after Stripe acted but before the record leaves the call leased; when the lease ends it is taken again and
/// the same idempotency key replays Stripe's first answer, so the effect happens once and is recorded once (Stripe keeps
/// keys 24 hours). Runs in the background (woken by each new call, else every <c>StripeCallPollSeconds</c>); runs of
/// one instance are serialized, and several instances are kept apart by the lease.
/// </summary>
internal sealed partial class StripeCallRunner(IServiceScopeFactory scopes, TimeProvider clock, IOptions<MarketplaceOptions> options, ILogger<StripeCallRunner> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Asks the runner to look for due calls now (a consumer just recorded one; it is seen once that transaction commits).</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Makes every due call; returns how many were attempted. Waits for a run in progress in this instance first.</summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var attempted = 0;
            for (var round = 0; round < 100; round++)
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<MarketplaceDbContext>();
                var now = clock.GetUtcNow();
                var token = PrefixedId.New("lease");
                var leaseUntil = now.AddSeconds(options.Value.PayoutLeaseSeconds);
                var leased = await db.StripeCalls
                    .Where(c => c.Status == StripeCallStatuses.Pending && c.NextAttemptAt <= now && (c.LeaseUntil == null || c.LeaseUntil < now))
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.LeaseToken, token).SetProperty(c => c.LeaseUntil, leaseUntil).SetProperty(c => c.Attempts, c => c.Attempts + 1), cancellationToken);
                if (leased == 0)
                {
                    return attempted;
                }

                var calls = await db.StripeCalls.AsNoTracking().Where(c => c.LeaseToken == token).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync(cancellationToken);
                var executor = scope.ServiceProvider.GetRequiredService<StripeCallExecutor>();
                foreach (var call in calls)
                {
                    await executor.ExecuteAsync(call, cancellationToken);
                    attempted++;
                }
            }

            return attempted;
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromSeconds(options.Value.StripeCallPollSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                timeout.CancelAfter(poll);
                try
                {
                    await _wake.Reader.ReadAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // The poll interval elapsed: look for calls due by time (retries, expired leases).
                }
            }

            try
            {
                await RunDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRunFailed(logger, e);
            }
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Marketplace Stripe call run failed; the next run retries")]
    private static partial void LogRunFailed(ILogger logger, Exception exception);
}

/// <summary>Makes one leased <see cref="StripeCall"/> and records its outcome (see <see cref="StripeCallRunner"/>).</summary>
internal sealed partial class StripeCallExecutor(
    MarketplaceDbContext db,
    TimeProvider clock,
    IOptions<MarketplaceOptions> options,
    RevenueLedger ledger,
    MonthlyInstallBilling monthly,
    IServiceProvider services,
    ILogger<StripeCallExecutor> logger)
{
    /// <summary>The reversal Stripe is asked for (fixed by the call, so a retry sends the same parameters with the same key).</summary>
    public static StripeNet.TransferReversalCreateOptions ReversalRequest(StripeCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return new StripeNet.TransferReversalCreateOptions
        {
            Amount = call.Amount,
            Description = $"Refund of marketplace revenue {call.RevenueEventId}",
            Metadata = new Dictionary<string, string> { ["revenue_event_id"] = call.RevenueEventId!, ["stripe_call_id"] = call.Id },
        };
    }

    /// <summary>Calls Stripe for <paramref name="call"/> and records the outcome.</summary>
    public async Task ExecuteAsync(StripeCall call, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(call);
        var stripe = services.GetRequiredService<StripeNet.StripeClient>();
        var key = new StripeNet.RequestOptions { IdempotencyKey = call.IdempotencyKey };
        try
        {
            switch (call.Kind)
            {
                case StripeCallKinds.TransferReversal:
                    var reversal = await stripe.V1.Transfers.Reversals.CreateAsync(call.TransferId!, ReversalRequest(call), key, ct);
                    await RecordAsync(call, reversal.Id, () => SettleRefundAsync(call, reversal.Id, ct), ct);
                    break;
                case StripeCallKinds.CreateSubscriptionItem:
                    var install = await db.Installs.AsNoTracking().SingleAsync(i => i.Id == call.InstallId, ct);
                    var plugin = await db.Plugins.AsNoTracking().SingleAsync(p => p.Id == install.PluginId, ct);
                    var item = await stripe.V1.SubscriptionItems.CreateAsync(
                        MonthlyInstallBilling.ItemRequest(call.SubscriptionId!, plugin.StripePriceId, plugin.Id, install.Id, install.UserId, plugin.DeveloperId, prorate: false), key, ct);
                    await RecordAsync(call, item.Id, () => monthly.CompleteAttachAsync(call, item.Id, ct), ct);
                    break;
                case StripeCallKinds.DeleteSubscriptionItem:
                    try
                    {
                        await stripe.V1.SubscriptionItems.DeleteAsync(call.SubscriptionItemId!, new StripeNet.SubscriptionItemDeleteOptions { ProrationBehavior = "create_prorations" }, cancellationToken: ct);
                    }
                    catch (StripeNet.StripeException e) when (e.HttpStatusCode == System.Net.HttpStatusCode.NotFound)
                    {
                        // Already gone (the subscription ended, or it was removed in the Dashboard).
                    }

                    await RecordAsync(call, call.SubscriptionItemId, () => Task.CompletedTask, ct);
                    break;
                default:
                    throw new InvalidOperationException($"Unknown Stripe call kind '{call.Kind}'.");
            }
        }
        catch (StripeNet.StripeException e)
        {
            var refused = !StripeFailureProblems.IsUnavailable(e); // Stripe refused it (4xx): the same parameters will not succeed later
            var error = Truncate($"{e.GetType().Name} {(int)e.HttpStatusCode}: {e.StripeError?.Message ?? e.Message}");
            if (refused || call.Attempts >= options.Value.StripeCallMaxAttempts)
            {
                await RefuseAsync(call, error);
            }
            else
            {
                var delay = TimeSpan.FromSeconds(Math.Min(3600, options.Value.StripeCallRetrySeconds * Math.Pow(2, Math.Max(0, call.Attempts - 1))));
                var next = clock.GetUtcNow() + delay;
                await db.StripeCalls.Where(c => c.Id == call.Id && c.Status == StripeCallStatuses.Pending && c.LeaseToken == call.LeaseToken)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastError, error).SetProperty(c => c.NextAttemptAt, next)
                        .SetProperty(c => c.LeaseUntil, (DateTimeOffset?)null).SetProperty(c => c.LeaseToken, (string?)null), CancellationToken.None);
                LogRetry(logger, call.Kind, call.Id, call.Attempts, next, error);
            }
        }
    }

    /// <summary>Marks the call done (if this runner still holds it) and applies its effect, in one transaction.</summary>
    private async Task RecordAsync(StripeCall call, string? resultId, Func<Task> effect, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.BeginWriteTransactionAsync(CancellationToken.None);
        var now = clock.GetUtcNow();
        var marked = await db.StripeCalls.Where(c => c.Id == call.Id && c.Status == StripeCallStatuses.Pending && c.LeaseToken == call.LeaseToken)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, StripeCallStatuses.Done).SetProperty(c => c.ResultId, resultId)
                .SetProperty(c => c.CompletedAt, now).SetProperty(c => c.LeaseUntil, (DateTimeOffset?)null).SetProperty(c => c.LastError, (string?)null), CancellationToken.None);
        if (marked == 0)
        {
            return; // another runner took it after this one's lease ended, and records it
        }

        await effect();
        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        db.ChangeTracker.Clear();
    }

    private async Task SettleRefundAsync(StripeCall call, string reversalId, CancellationToken ct)
    {
        var refund = await db.RevenueEvents.SingleAsync(e => e.Id == call.RevenueEventId, ct);
        if (refund.PaidAt is not null)
        {
            return;
        }

        refund.TransferId = call.TransferId;
        refund.TransferReversalId = reversalId;
        refund.PaidAt = clock.GetUtcNow();
        await ledger.AddPaidAsync(refund, refund.DeveloperShare, ct);
    }

    /// <summary>Gives the call up and applies the fallback: a refused reversal's refund becomes a debt for the next payout.</summary>
    private async Task RefuseAsync(StripeCall call, string error)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.BeginWriteTransactionAsync(CancellationToken.None);
        var now = clock.GetUtcNow();
        var marked = await db.StripeCalls.Where(c => c.Id == call.Id && c.Status == StripeCallStatuses.Pending && c.LeaseToken == call.LeaseToken)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, StripeCallStatuses.Refused).SetProperty(c => c.LastError, error)
                .SetProperty(c => c.CompletedAt, now).SetProperty(c => c.LeaseUntil, (DateTimeOffset?)null), CancellationToken.None);
        if (marked == 0)
        {
            return;
        }

        if (call.Kind == StripeCallKinds.TransferReversal)
        {
            await db.RevenueEvents.Where(e => e.Id == call.RevenueEventId && e.ReversalCallId == call.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.ReversalCallId, (string?)null), CancellationToken.None);
        }

        await transaction.CommitAsync(CancellationToken.None);
        LogRefused(logger, call.Kind, call.Id, call.Attempts, error);
    }

    private static string Truncate(string error) => error.Length > 2000 ? error[..2000] : error;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe call {Kind} {CallId} failed on attempt {Attempts}; retried at {NextAttemptAt} ({Error})")]
    private static partial void LogRetry(ILogger logger, string kind, string callId, int attempts, DateTimeOffset nextAttemptAt, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe call {Kind} {CallId} given up after {Attempts} attempts ({Error}); a reversal is carried into the next payout, an item leaves the install pending")]
    private static partial void LogRefused(ILogger logger, string kind, string callId, int attempts, string error);
}
