using MediatR;
using Monetization.BuildingBlocks.Telemetry;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StripeNet = Stripe;

namespace Monetization.Subscriptions.Features.HandleStripeEvents;

/// <summary>
/// Group commit for webhook deliveries. Every request queues its verified event here and waits for the outcome; one writer
/// loop takes whatever is queued (up to <see cref="MaxBatch"/>) and stores and processes it through
/// a <see cref="HandleStripeEvents.Request"/> sent through MediatR (one transaction when they all apply), then answers every waiting request.
/// Once that transaction holds the module's writer lock, what queued while it waited joins the batch
/// (<see cref="HandleStripeEvents.Request.JoinOnceWriting"/>): with several Hosts on PostgreSQL the wait is the other
/// Hosts' batches, and without the join each delivery would wait two turns of the lock instead of one. Under a burst
/// the database sees one writer and one commit per batch instead of one per event, and the writer never waits on the
/// thread pool between events; a lone delivery is a batch of one. Nothing is answered before its event is committed, so
/// the webhook's answer (<c>processed</c>, <c>ignored</c>, <c>failed</c>, <c>duplicate</c>) means what it meant with one
/// transaction per request. A tie, or an event that refers to a subscription or invoice whose state is not stored (issue 16),
/// needs it from Stripe: the waiting request fetches it, outside the loop, and queues the event again with it, so a slow
/// Stripe never holds up other deliveries.
/// </summary>
internal sealed partial class StripeEventIntake(IServiceScopeFactory scopes, ILogger<StripeEventIntake> logger) : BackgroundService
{
    /// <summary>Most deliveries stored in one transaction.</summary>
    public const int MaxBatch = 256;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private volatile bool _running;

    /// <summary>A delivery read from the queue that could not join the batch in progress; it starts the next one (writer loop only).</summary>
    private Pending? _carried;

    /// <summary>Stores and processes a verified delivery; returns <c>processed</c>, <c>ignored</c>, <c>failed</c> or <c>duplicate</c>.</summary>
    /// <remarks>
    /// Cancelling stops the wait, not the work: a queued event is still stored. When the writer loop is not running (the
    /// Host is starting or stopping), the event is stored by the calling request itself.
    /// </remarks>
    public async Task<string> ReceiveAsync(StripeEventEnvelope evt, string payload, CancellationToken ct)
    {
        StripeEventTranslator.Prepare(evt);
        var trace = MonetizationTelemetry.CurrentTraceParent();
        var outcome = await SubmitAsync(new IncomingStripeEvent(evt, payload, TraceParent: trace), ct);
        if (outcome.Refetch is { } required)
        {
            RefetchResult fetched;
            await using (var scope = scopes.CreateAsyncScope())
            {
                fetched = await StripeRefetch.FetchAsync(scope.ServiceProvider.GetRequiredService<StripeNet.StripeClient>(), required, ct);
            }

            outcome = await SubmitAsync(new IncomingStripeEvent(evt, payload, fetched, trace), ct);
        }

        return outcome.Status ?? throw new InvalidOperationException($"Stripe event {evt.Id} still needs a re-fetch after re-fetching ({outcome.Refetch?.Message}).");
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _running = true;
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (_carried is not null || await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && TryTake(out var pending))
                {
                    batch.Add(pending);
                }

                await WriteAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the requests still queued are served below.
        }
        finally
        {
            _running = false;
            _queue.Writer.TryComplete(); // later deliveries are stored by their own request
            while (TryTake(out var pending)) // a join in here may carry one over: taken next
            {
                await WriteAsync([pending], CancellationToken.None);
            }
        }
    }

    private async Task<StripeEventOutcome> SubmitAsync(IncomingStripeEvent incoming, CancellationToken ct)
    {
        var pending = new Pending(incoming);
        if (!_running || !_queue.Writer.TryWrite(pending))
        {
            await using var scope = scopes.CreateAsyncScope();
            var outcomes = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new HandleStripeEvents.Request([incoming]), ct);
            return outcomes[0];
        }

        return await pending.Outcome.Task.WaitAsync(ct);
    }

    private async Task WriteAsync(List<Pending> batch, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var outcomes = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(
                new HandleStripeEvents.Request(batch.ConvertAll(p => p.Incoming), () => JoinWaiting(batch)), ct);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Outcome.TrySetResult(outcomes[i]);
            }
        }
        catch (Exception e)
        {
            LogBatchFailed(logger, e, batch.Count);
            foreach (var pending in batch)
            {
                pending.Outcome.TrySetException(e); // the request answers 500 and Stripe delivers the event again
            }
        }
    }

    /// <summary>The delivery a join left behind, else the next queued one (writer loop only).</summary>
    private bool TryTake([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Pending? pending)
    {
        if (_carried is { } carried)
        {
            _carried = null;
            pending = carried;
            return true;
        }

        return _queue.Reader.TryRead(out pending);
    }

    /// <summary>
    /// The deliveries queued since <paramref name="batch"/> was formed (it waited for the writer lock meanwhile), appended to
    /// it, up to <see cref="MaxBatch"/>. One that carries a re-fetch result cannot share a batch transaction: it stays
    /// behind and starts the next batch.
    /// </summary>
    private List<IncomingStripeEvent> JoinWaiting(List<Pending> batch)
    {
        var joined = new List<IncomingStripeEvent>();
        while (_carried is null && batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
        {
            if (pending.Incoming.Fetched is not null)
            {
                _carried = pending;
                break;
            }

            batch.Add(pending);
            joined.Add(pending.Incoming);
        }

        return joined;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing a batch of {Count} Stripe events failed; their deliveries are answered 500 and Stripe retries them")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);

    private sealed class Pending(IncomingStripeEvent incoming)
    {
        public IncomingStripeEvent Incoming { get; } = incoming;

        public TaskCompletionSource<StripeEventOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
