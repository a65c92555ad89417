using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Billing;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Jobs;

/// <summary>
/// The monthly usage invoice job (issue: "also a monthly scheduled job"): every <c>Usage:InvoiceJob:IntervalSeconds</c>
/// it invoices the previous month once that month has been closed for <c>Usage:LateDays</c> (so late events are in), and
/// retries pending Stripe steps. Safe to run twice and on several instances (one invoice per user and period; a lease per
/// invoice for the Stripe steps).
/// </summary>
internal sealed partial class UsageInvoiceJob(IServiceScopeFactory scopes, TimeProvider clock, IOptions<UsageOptions> options, ILogger<UsageInvoiceJob> logger) : BackgroundService
{
    /// <summary>One check: invoices the previous month when due and retries pending Stripe steps.</summary>
    public async Task RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var invoicing = scope.ServiceProvider.GetRequiredService<UsageInvoicing>();
        var now = clock.GetUtcNow();
        var previous = BillingPeriod.Containing(now).Previous();
        if (now >= previous.End.AddDays(options.Value.LateDays) && !await invoicing.IsCompletedAsync(previous, ct))
        {
            await invoicing.CreateInvoicesAsync(previous, ct);
        }

        await invoicing.CollectAsync(null, includeFailedPayments: false, ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.InvoiceJob.Enabled)
        {
            return;
        }

        var interval = TimeSpan.FromSeconds(options.Value.InvoiceJob.IntervalSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, TimeProvider.System, stoppingToken);
                await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The job must survive any failure and try again at the next interval.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The usage invoice job failed; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
