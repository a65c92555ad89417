using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Delivery;

/// <summary>
/// Sends due deliveries in the background. Each round leases due deliveries (pending, due, enabled endpoint, not leased)
/// for the request timeout plus a minute, at most <c>MaxConcurrentDeliveries</c> in flight and
/// <c>MaxConcurrentPerEndpoint</c> per endpoint, and starts one <see cref="WebhookSender"/> attempt each without waiting for
/// the others: a slow or dead endpoint holds only its own slots, never the API (deliveries are written by consumers, sent
/// here) nor other endpoints. A Host that dies mid-send loses nothing: the lease ends and any Host sends it again (the
/// receiver sees the same <c>webhook-id</c>; at least once). Woken when a consumer adds deliveries, else every
/// <c>Webhooks:PollSeconds</c> (retries come due by the clock).
/// </summary>
internal sealed partial class WebhookDeliveryWorker(IServiceScopeFactory scopes, TimeProvider clock, IOptions<WebhooksOptions> options, ILogger<WebhookDeliveryWorker> logger)
    : BackgroundService
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<string, int> _perEndpoint = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _claim = new(1, 1);
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);

    /// <summary>Asks for a round now (deliveries were added; they are seen once their transaction commits).</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>
    /// Starts every due delivery there is room for and waits for those attempts and any other in flight in this Host, so
    /// what was due has been attempted when it returns (tests; an operator's tooling).
    /// </summary>
    /// <returns>How many attempts this call started.</returns>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        var started = await StartDueAsync(ct);
        await Task.WhenAll(started.Concat(_running.Values));
        return started.Count;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromSeconds(options.Value.PollSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await StartDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRoundFailed(logger, e);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(poll);
            try
            {
                await _wake.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The poll interval elapsed: retries come due by the clock.
            }
        }
    }

    private async Task<List<Task>> StartDueAsync(CancellationToken ct)
    {
        var started = new List<Task>();
        await _claim.WaitAsync(ct);
        try
        {
            var o = options.Value;
            var room = o.MaxConcurrentDeliveries - _running.Count;
            if (room <= 0)
            {
                return started;
            }

            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<WebhooksDbContext>();
            var now = clock.GetUtcNow();
            var due = await db.Deliveries.AsNoTracking()
                .Where(d => d.Status == DeliveryStatuses.Pending && d.NextAttemptAt <= now && (d.LeaseUntil == null || d.LeaseUntil < now))
                .Where(d => db.Endpoints.Any(e => e.Id == d.EndpointId && e.Enabled))
                .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Sequence)
                .Select(d => new { d.Id, d.EndpointId })
                .Take(room * 4)
                .ToListAsync(ct);
            var leaseUntil = now.AddSeconds(o.RequestTimeoutSeconds + 60);
            foreach (var candidate in due)
            {
                if (started.Count >= room || _perEndpoint.GetValueOrDefault(candidate.EndpointId) >= o.MaxConcurrentPerEndpoint)
                {
                    continue;
                }

                var leased = await db.Deliveries
                    .Where(d => d.Id == candidate.Id && d.Status == DeliveryStatuses.Pending && (d.LeaseUntil == null || d.LeaseUntil < now))
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseUntil, leaseUntil), ct);
                if (leased == 0)
                {
                    continue; // another Host (or round) took it
                }

                _perEndpoint.AddOrUpdate(candidate.EndpointId, 1, (_, n) => n + 1);
                var attempt = SendAsync(candidate.Id, candidate.EndpointId, leaseUntil, ct);
                _running[candidate.Id] = attempt;
                started.Add(attempt);
            }
        }
        finally
        {
            _claim.Release();
        }

        return started;
    }

    private async Task SendAsync(string deliveryId, string endpointId, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        await Task.Yield(); // the round goes on claiming while this one waits for its endpoint
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<WebhookSender>().SendAsync(deliveryId, leaseUntil, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogSendFailed(logger, e, deliveryId); // the lease ends and the delivery is attempted again
        }
        finally
        {
            _running.TryRemove(deliveryId, out _);
            _perEndpoint.AddOrUpdate(endpointId, 0, (_, n) => n - 1);
            Wake();
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _claim.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A webhook delivery round failed; the next round retries")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending webhook delivery {DeliveryId} failed before its outcome was recorded; it is sent again when its lease ends")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string deliveryId);
}
