using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Billing;

namespace Monetization.Marketplace.Features.Payouts;

/// <summary>
/// The monthly payout job: wakes every <c>Marketplace:PayoutScheduleIntervalMinutes</c> and, from day
/// <c>Marketplace:PayoutDayOfMonth</c> of a month (UTC), runs <see cref="RunPayouts"/> for the previous period until a run
/// finishes with nothing failed or in progress. Runs are idempotent and safe to overlap, so several instances may run it.
/// </summary>
internal sealed partial class PayoutScheduler(IServiceScopeFactory scopes, TimeProvider clock, IOptions<MarketplaceOptions> options, ILogger<PayoutScheduler> logger)
    : BackgroundService
{
    private string? _completedPeriod;

    /// <summary>Runs the payout for the previous period when due; returns the period run, or null when nothing was due.</summary>
    public async Task<string?> RunDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now.Day < options.Value.PayoutDayOfMonth)
        {
            return null;
        }

        var period = BillingPeriod.Containing(now).Previous().ToString();
        if (period == _completedPeriod)
        {
            return null;
        }

        await using var scope = scopes.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RunPayouts.Request(period), cancellationToken);
        LogRun(logger, period, result.Payouts.Count, result.Failed, result.InProgress);
        if (result.Failed == 0 && result.InProgress == 0)
        {
            _completedPeriod = period;
        }

        return period;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.PayoutScheduleEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Value.PayoutScheduleIntervalMinutes));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Marketplace payout run for {Period}: {Payouts} payouts, {Failed} failed, {InProgress} in progress")]
    private static partial void LogRun(ILogger logger, string period, int payouts, int failed, int inProgress);

    [LoggerMessage(Level = LogLevel.Error, Message = "Marketplace payout run failed; the next tick retries")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
