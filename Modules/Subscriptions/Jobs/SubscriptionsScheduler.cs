using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monetization.Subscriptions.Domain;
using Monetization.Subscriptions.Features.Reconcile;

namespace Monetization.Subscriptions.Jobs;

/// <summary>
/// The module's background work, every <c>Subscriptions:JobPollSeconds</c> (sooner when a credit deferral is queued): retries
/// failed Stripe events, publishes access that ran out (grace, credit), sends credit deferrals; and every
/// <c>Subscriptions:ReconcileIntervalMinutes</c> reconciles with Stripe. Each piece runs in its own scope and its failures are
/// logged, not fatal. Safe with several instances: event processing re-checks status in its transaction; the others are
/// idempotent.
/// </summary>
internal sealed partial class SubscriptionsScheduler(
    IServiceScopeFactory scopes,
    CreditDeferralSignal signal,
    StripePriceResolver prices,
    IOptions<SubscriptionsOptions> options,
    ILogger<SubscriptionsScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RunAsync("price bootstrap", async (_, ct) => await prices.ResolveMissingAsync(ct), stoppingToken);
        var poll = TimeSpan.FromSeconds(options.Value.JobPollSeconds);
        var reconcileEvery = options.Value.ReconcileIntervalMinutes > 0 ? TimeSpan.FromMinutes(options.Value.ReconcileIntervalMinutes) : (TimeSpan?)null;
        var nextReconcile = DateTimeOffset.UtcNow + (reconcileEvery ?? TimeSpan.Zero);
        var nextPriceAttempt = DateTimeOffset.UtcNow.AddMinutes(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await signal.WaitAsync(poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (prices.HasMissing && DateTimeOffset.UtcNow >= nextPriceAttempt)
            {
                nextPriceAttempt = DateTimeOffset.UtcNow.AddMinutes(5);
                await RunAsync("price bootstrap", async (_, ct) => await prices.ResolveMissingAsync(ct), stoppingToken);
            }

            await RunAsync("credit deferrals", (sp, ct) => sp.GetRequiredService<CreditDeferralJob>().RunOnceAsync(ct), stoppingToken);
            await RunAsync("stripe event retries", (sp, ct) => sp.GetRequiredService<StripeEventRetryJob>().RunOnceAsync(ct), stoppingToken);
            await RunAsync("access expiry", (sp, ct) => sp.GetRequiredService<AccessExpiryJob>().RunOnceAsync(ct), stoppingToken);
            if (reconcileEvery is { } every && DateTimeOffset.UtcNow >= nextReconcile)
            {
                nextReconcile = DateTimeOffset.UtcNow + every;
                await RunAsync("reconcile", async (sp, ct) => (await sp.GetRequiredService<IMediator>().Send(new Reconcile.Request(), ct)).Checked, stoppingToken);
            }
        }
    }

    private async Task RunAsync(string job, Func<IServiceProvider, CancellationToken, Task<int>> work, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await work(scope.ServiceProvider, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogJobFailed(logger, job, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscriptions job '{Job}' failed; it runs again at the next tick")]
    private static partial void LogJobFailed(ILogger logger, string job, Exception error);
}
