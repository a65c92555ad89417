using Monetization.BuildingBlocks.Telemetry;
using System.Diagnostics;
using System.Text.Json;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Data;
using Monetization.BuildingBlocks.Mediation;
using Monetization.IntegrationEvents;

namespace Monetization.BuildingBlocks.Outbox;

/// <summary>A dead-lettered outbox row, as the admin route lists it.</summary>
/// <param name="Module">Module whose outbox holds it.</param>
/// <param name="Sequence">Row id within that outbox.</param>
/// <param name="EventId">The event's id.</param>
/// <param name="Type">Event wire name.</param>
/// <param name="Attempts">Attempts made.</param>
/// <param name="LastError">Last failure.</param>
/// <param name="OccurredAt">When the event occurred, UTC.</param>
/// <param name="DeadLetteredAt">When it was given up, UTC.</param>
public sealed record DeadLetter(string Module, long Sequence, Guid EventId, string Type, int Attempts, string? LastError, DateTimeOffset OccurredAt, DateTimeOffset? DeadLetteredAt)
{
    /// <summary>
    /// The list's cursor (ADR 0071): <c>&lt;module&gt;:&lt;sequence&gt;</c>, the module in lower case (<c>referrals:42</c>), the
    /// same pair the replay route takes. The admin list is ordered by module name, then sequence.
    /// </summary>
    public string Id => $"{Module.ToLowerInvariant()}:{Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>Counts of one module's outbox.</summary>
/// <param name="Module">Module name.</param>
/// <param name="Pending">Not yet delivered and not dead (due or backing off).</param>
/// <param name="Due">Pending and due now.</param>
/// <param name="DeadLettered">Given up.</param>
/// <param name="OldestPendingAt">When the oldest pending event occurred (UTC), null when nothing is pending: the outbox's lag is
/// now minus this (issue 19's dashboard shows it per module).</param>
public sealed record OutboxStats(string Module, int Pending, int Due, int DeadLettered, DateTimeOffset? OldestPendingAt = null);

/// <summary>One module's outbox dispatcher, as the admin routes and the test kit see it.</summary>
public interface IOutboxDispatcher
{
    /// <summary>The module's name.</summary>
    string Module { get; }

    /// <summary>Publishes every due row once (one round); returns how many rows were attempted.</summary>
    Task<int> DispatchDueAsync(CancellationToken cancellationToken);

    /// <summary>Current counts.</summary>
    Task<OutboxStats> GetStatsAsync(CancellationToken cancellationToken);

    /// <summary>Dead-lettered rows, oldest first.</summary>
    Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(CancellationToken cancellationToken);

    /// <summary>At most <paramref name="limit"/> dead-lettered rows whose sequence is above <paramref name="afterSequence"/>, by sequence.</summary>
    Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>Puts a dead-lettered row back in line with a fresh attempt budget; false when no such dead letter.</summary>
    Task<bool> ReplayAsync(long sequence, CancellationToken cancellationToken);
}

/// <summary>
/// Publishes a module's committed outbox rows to every consumer through <see cref="IMediator"/>: woken right after
/// commit (<see cref="OutboxSignal{TDbContext}"/>) with polling as a fallback; each row is claimed with a lease so
/// several Host instances never deliver it at once; a failure is recorded on the row with exponential backoff, and after
/// <see cref="OutboxOptions.MaxAttempts"/> the row is dead-lettered. Consumers that already succeeded skip the retry
/// through their inbox. On shutdown it makes one last pass over what is due.
/// </summary>
/// <typeparam name="TDbContext">The module's context.</typeparam>
public sealed partial class OutboxDispatcher<TDbContext>(
    string module,
    IServiceScopeFactory scopes,
    OutboxSignal<TDbContext> signal,
    TimeProvider clock,
    IOptions<OutboxOptions> options,
    IntegrationEventRegistry registry,
    ILogger<OutboxDispatcher<TDbContext>> logger) : BackgroundService, IOutboxDispatcher
    where TDbContext : ModuleDbContext
{
    private readonly SemaphoreSlim _round = new(1, 1);
    private readonly string _instance = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private long _rounds;

    /// <summary>Rows delivered but not yet marked so (guarded by <see cref="_round"/>): marked by the next round's claim, in the same write.</summary>
    private readonly List<long> _delivered = [];

    /// <summary><see cref="OutboxSignal{TDbContext}.Count"/> when the last round started (guarded by <see cref="_round"/>); -1 before the first.</summary>
    private long _signalsSeen = -1;

    /// <inheritdoc />
    public string Module => module;

    /// <inheritdoc />
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        await _round.WaitAsync(cancellationToken);
        try
        {
            return await DispatchRoundAsync(cancellationToken);
        }
        finally
        {
            _round.Release();
        }
    }

    /// <inheritdoc />
    public async Task<OutboxStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var now = clock.GetUtcNow();
        var open = db.Outbox.Where(m => m.DispatchedAt == null && m.DeadLetteredAt == null);
        return new OutboxStats(
            module,
            await open.CountAsync(cancellationToken),
            await open.CountAsync(m => m.NextAttemptAt <= now, cancellationToken),
            await db.Outbox.CountAsync(m => m.DeadLetteredAt != null, cancellationToken),
            await open.OrderBy(m => m.Sequence).Select(m => (DateTimeOffset?)m.OccurredAt).FirstOrDefaultAsync(cancellationToken));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(CancellationToken cancellationToken) =>
        ListDeadLettersAsync(0, int.MaxValue, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var rows = await db.Outbox.AsNoTracking().Where(m => m.DeadLetteredAt != null && m.Sequence > afterSequence).OrderBy(m => m.Sequence)
            .Take(limit).ToListAsync(cancellationToken);
        return rows.Select(m => new DeadLetter(module, m.Sequence, m.EventId, m.Type, m.Attempts, m.LastError, m.OccurredAt, m.DeadLetteredAt)).ToList();
    }

    /// <inheritdoc />
    public async Task<bool> ReplayAsync(long sequence, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var now = clock.GetUtcNow();
        var updated = await db.Outbox
            .Where(m => m.Sequence == sequence && m.DeadLetteredAt != null && m.DispatchedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.DeadLetteredAt, (DateTimeOffset?)null)
                .SetProperty(m => m.Attempts, 0)
                .SetProperty(m => m.NextAttemptAt, now)
                .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null), cancellationToken);
        if (updated > 0)
        {
            LogReplayed(logger, module, sequence);
            signal.Signal();
        }

        return updated > 0;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.AutoStart)
        {
            return;
        }

        var poll = TimeSpan.FromSeconds(Math.Max(0.05, options.Value.PollIntervalSeconds));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    int claimed;
                    while ((claimed = await DispatchDueAsync(stoppingToken)) > 0)
                    {
                        // Keep going while rows were due: a burst is drained without waiting for the next signal. A round
                        // that was not full means the dispatcher has caught up: let the next rows gather for a moment.
                        if (claimed < options.Value.BatchSize && options.Value.CoalesceMilliseconds > 0)
                        {
                            await Task.Delay(options.Value.CoalesceMilliseconds, stoppingToken);
                        }
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogRoundFailed(logger, e, module);
                }

                await signal.WaitAsync(poll, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Stops the loop, then drains what is due (bounded by the host's shutdown timeout).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!options.Value.AutoStart)
        {
            return;
        }

        try
        {
            for (var round = 0; round < 20 && await DispatchDueAsync(cancellationToken) > 0; round++)
            {
                // Final drain on a clean shutdown.
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRoundFailed(logger, e, module);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout elapsed: what is left is delivered after the next start.
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _round.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// One round: claims up to <see cref="OutboxOptions.BatchSize"/> due rows with one lease (one statement that picks,
    /// leases and returns them), publishes them in order, and marks the delivered ones together: in the next round's
    /// claim transaction when more rows are due by the end of this one (so under load a round takes the module's write gate
    /// once), else at its end, and once per second of publishing. Nothing due: nothing is written and the gate is not
    /// taken. A failed row is recorded at once. If the process dies mid-round, the unmarked rows are delivered again when the lease runs
    /// out; consumers skip them through their inbox. The statements are the provider's (<see cref="OutboxRows"/>).
    /// </summary>
    /// <remarks>
    /// Whether rows are due is asked of the database only when this process has not signalled a commit since the last
    /// round (<see cref="OutboxSignal{TDbContext}.Count"/>): after a signal, rows are due and the claim finds them. On SQLite
    /// the question runs on a reader connection, and each time the writer had committed in between, SQLite unmapped and
    /// mapped again that connection's whole memory map of the file: under webhook load about a hundred times a second, 2 %
    /// of the Host's CPU with the page faults that followed (issue 22, docs/performance.md, twenty-second session).
    /// </remarks>
    private async Task<int> DispatchRoundAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var now = clock.GetUtcNow();
        var claim = $"{_instance}:{Interlocked.Increment(ref _rounds)}";
        var statements = OutboxRows.For(db);
        var signals = signal.Count;
        var signalled = signals != _signalsSeen;
        _signalsSeen = signals;
        if (!signalled && !await statements.AnyDueAsync(db, now, cancellationToken))
        {
            await MarkDeliveredAsync(db, _delivered);
            return 0;
        }

        List<OutboxClaimedRow> rows;
        var claimStarted = Stopwatch.GetTimestamp();
        using (statements.NeedsWriteGate ? await SqliteWriteGate.EnterAsync(db, cancellationToken) : null)
        {
            if (_delivered.Count == 0)
            {
                rows = await statements.ClaimDueAsync(db, claim, now, now.AddSeconds(settings.LeaseSeconds), settings.BatchSize, cancellationToken);
            }
            else
            {
                // The previous round's deliveries (rows were already due when it ended) and this claim: one commit.
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                await MarkDeliveredAsync(statements, db, _delivered);
                rows = await statements.ClaimDueAsync(db, claim, now, now.AddSeconds(settings.LeaseSeconds), settings.BatchSize, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
        }

        RecordStep("claim", claimStarted);
        if (MonetizationTelemetry.OutboxClaimedRows.Enabled)
        {
            MonetizationTelemetry.OutboxClaimedRows.Record(rows.Count, new KeyValuePair<string, object?>("module", Module));
        }

        var lastMark = clock.GetTimestamp();
        try
        {
            for (var start = 0; start < rows.Count;)
            {
                // A run: consecutive rows of one event type, handed to each consumer together (the order of the rows is kept).
                var end = start + 1;
                while (end < rows.Count && rows[end].Type == rows[start].Type)
                {
                    end++;
                }

                var run = rows.GetRange(start, end - start);
                start = end;
                var publishStarted = Stopwatch.GetTimestamp();
                var errors = run.Count == 1 ? [await PublishAsync(run[0], cancellationToken)] : await PublishRunAsync(run, cancellationToken);
                RecordStep("publish", publishStarted);
                for (var i = 0; i < run.Count; i++)
                {
                    if (errors[i] is null)
                    {
                        _delivered.Add(run[i].Sequence);
                    }
                    else
                    {
                        await RecordFailureAsync(db, run[i], errors[i]!, settings);
                    }
                }

                if (_delivered.Count > 0 && clock.GetElapsedTime(lastMark) > TimeSpan.FromSeconds(1))
                {
                    await MarkDeliveredAsync(db, _delivered);
                    lastMark = clock.GetTimestamp();
                }
            }
        }
        catch
        {
            await MarkDeliveredAsync(db, _delivered);
            throw;
        }

        // Under load more rows are due by now: the next round marks these in the write that claims those, so a round
        // takes the module's write gate once; each time it does, the webhook writer may wait for this loop's turn on the
        // thread pool. Otherwise mark them now, so a drained outbox shows every delivered row as delivered.
        if (signal.Count == _signalsSeen && !await statements.AnyDueAsync(db, clock.GetUtcNow(), CancellationToken.None))
        {
            await MarkDeliveredAsync(db, _delivered);
        }

        return rows.Count;
    }

    /// <returns>Null when every consumer succeeded, else what failed.</returns>
    private async Task<string?> PublishAsync(OutboxClaimedRow row, CancellationToken cancellationToken)
    {
        // A span in the trace that raised the event (its stored traceparent), so the consumers' spans join it.
        using var activity = MonetizationTelemetry.StartFrom("outbox publish " + row.Type, ActivityKind.Consumer, row.TraceParent);
        activity?.SetTag("messaging.system", "monetization.outbox");
        activity?.SetTag("messaging.destination.name", Module);
        activity?.SetTag("messaging.message.id", row.EventId.ToString());
        var error = await PublishCoreAsync(row, cancellationToken);
        activity?.SetStatus(error is null ? ActivityStatusCode.Ok : ActivityStatusCode.Error, error);
        if (MonetizationTelemetry.OutboxPublished.Enabled)
        {
            MonetizationTelemetry.OutboxPublished.Add(1, new("module", Module), new("outcome", error is null ? "delivered" : "failed"));
        }

        return error;
    }

    private async Task<string?> PublishCoreAsync(OutboxClaimedRow row, CancellationToken cancellationToken)
    {
        try
        {
            var integrationEvent = registry.Deserialize(row.Type, row.Payload);
            await using var publishScope = scopes.CreateAsyncScope();
            var mediator = publishScope.ServiceProvider.GetRequiredService<IMediator>();
            await mediator.Publish(integrationEvent, cancellationToken);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return IntegrationEventRun.Describe(e);
        }
    }

    /// <summary>
    /// Publishes a run of rows of one event type (issue 22, docs/adr/0063): every consumer of the type gets the whole run,
    /// in order — a batch consumer (<see cref="IBatchConsumer"/>, every <see cref="IdempotentConsumer{TEvent,TDbContext}"/>)
    /// in as few transactions as it can, any other handler event by event — so a burst costs each consumer one transaction
    /// per run instead of one per event. A row is delivered when no consumer failed on it; the errors are per row.
    /// </summary>
    /// <returns>One entry per row: null when every consumer succeeded, else what failed.</returns>
    private async Task<string?[]> PublishRunAsync(List<OutboxClaimedRow> run, CancellationToken cancellationToken)
    {
        var errors = new string?[run.Count];
        var links = run.Select(r => ActivityContext.TryParse(r.TraceParent, null, out var context) ? new ActivityLink(context) : default)
            .Where(l => l.Context != default).ToList();
        using var activity = MonetizationTelemetry.Source.StartActivity("outbox publish " + run[0].Type, ActivityKind.Consumer, default(ActivityContext), links: links);
        activity?.SetTag("messaging.system", "monetization.outbox");
        activity?.SetTag("messaging.destination.name", Module);
        activity?.SetTag("messaging.batch.message_count", run.Count);

        var events = new List<IIntegrationEvent>(run.Count);
        var rowOfEvent = new List<int>(run.Count);
        for (var i = 0; i < run.Count; i++)
        {
            try
            {
                events.Add(registry.Deserialize(run[i].Type, run[i].Payload));
                rowOfEvent.Add(i);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                IntegrationEventRun.AddError(ref errors[i], IntegrationEventRun.Describe(e));
            }
        }

        if (events.Count > 0)
        {
            await using var publishScope = scopes.CreateAsyncScope();
            var eventErrors = await IntegrationEventRun.PublishAsync(publishScope.ServiceProvider, events, cancellationToken);
            for (var i = 0; i < events.Count; i++)
            {
                if (eventErrors[i] is { } error)
                {
                    IntegrationEventRun.AddError(ref errors[rowOfEvent[i]], error);
                }
            }
        }

        var failedRows = errors.Count(e => e is not null);
        activity?.SetStatus(failedRows == 0 ? ActivityStatusCode.Ok : ActivityStatusCode.Error, failedRows == 0 ? null : $"{failedRows} of {run.Count} failed");
        if (MonetizationTelemetry.OutboxPublished.Enabled)
        {
            MonetizationTelemetry.OutboxPublished.Add(run.Count - failedRows, new("module", Module), new("outcome", "delivered"));
            MonetizationTelemetry.OutboxPublished.Add(failedRows, new("module", Module), new("outcome", "failed"));
        }

        return errors;
    }

    /// <summary>Marks <paramref name="sequences"/> delivered (one write, under the write gate) and empties the list.</summary>
    private async Task MarkDeliveredAsync(TDbContext db, List<long> sequences)
    {
        if (sequences.Count == 0)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var statements = OutboxRows.For(db);
        using (statements.NeedsWriteGate ? await SqliteWriteGate.EnterAsync(db, CancellationToken.None) : null)
        {
            await MarkDeliveredAsync(statements, db, sequences);
        }

        RecordStep("mark", started);
    }

    /// <summary>Records one step's duration (gate wait included) when the histogram is listened to.</summary>
    private void RecordStep(string step, long startedTimestamp)
    {
        if (MonetizationTelemetry.OutboxStepDuration.Enabled)
        {
            MonetizationTelemetry.OutboxStepDuration.Record(
                Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds,
                new KeyValuePair<string, object?>("module", Module),
                new KeyValuePair<string, object?>("step", step));
        }
    }

    /// <summary>Marks <paramref name="sequences"/> delivered now (the caller holds the write gate where the provider needs it) and empties the list.</summary>
    private async Task MarkDeliveredAsync(OutboxRows statements, TDbContext db, List<long> sequences)
    {
        if (sequences.Count == 0)
        {
            return;
        }

        await statements.MarkDeliveredAsync(db, sequences, clock.GetUtcNow(), CancellationToken.None);
        sequences.Clear();
    }

    private async Task RecordFailureAsync(TDbContext db, OutboxClaimedRow row, string error, OutboxOptions settings)
    {
        var attempts = row.Attempts + 1;
        var finished = clock.GetUtcNow();
        var dead = attempts >= settings.MaxAttempts;
        var next = finished + settings.RetryDelay(attempts);
        var truncated = error.Length > 4000 ? error[..4000] : error;
        using (OutboxRows.For(db).NeedsWriteGate ? await SqliteWriteGate.EnterAsync(db, CancellationToken.None) : null)
        {
            await db.Outbox.Where(m => m.Sequence == row.Sequence).ExecuteUpdateAsync(
                s => s.SetProperty(m => m.Attempts, attempts).SetProperty(m => m.LastError, truncated)
                    .SetProperty(m => m.NextAttemptAt, next)
                    .SetProperty(m => m.DeadLetteredAt, dead ? finished : null)
                    .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null),
                CancellationToken.None);
        }

        if (dead)
        {
            LogDeadLettered(logger, module, row.Type, row.EventId, attempts, truncated);
        }
        else
        {
            LogAttemptFailed(logger, module, row.Type, row.EventId, attempts, next, truncated);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Module} outbox: {Type} {EventId} failed on attempt {Attempts}, next at {Next}: {Error}")]
    private static partial void LogAttemptFailed(ILogger logger, string module, string type, Guid eventId, int attempts, DateTimeOffset next, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Module} outbox: {Type} {EventId} dead-lettered after {Attempts} attempts: {Error}")]
    private static partial void LogDeadLettered(ILogger logger, string module, string type, Guid eventId, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Module} outbox: dead letter {Sequence} replayed")]
    private static partial void LogReplayed(ILogger logger, string module, long sequence);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Module} outbox: dispatch round failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception, string module);
}

/// <summary>
/// Hands a run of integration events of one type to every consumer of the type, in order (issue 22, docs/adr/0063): a batch
/// consumer (<see cref="IBatchConsumer"/>) gets the whole run, any other handler event by event. Used by the outbox
/// dispatcher for runs of claimed rows, and by tests to deliver a run exactly as the dispatcher does.
/// </summary>
public static class IntegrationEventRun
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Func<object, IIntegrationEvent, CancellationToken, Task>> PlainHandlers = new();

    /// <summary>Publishes <paramref name="events"/> (all of one type) to the handlers resolved from <paramref name="services"/>.</summary>
    /// <returns>One entry per event: null when every consumer succeeded, else what failed (consumers separated by <c> | </c>).</returns>
    /// <exception cref="ArgumentException">The events are not all of one type.</exception>
    public static async Task<string?[]> PublishAsync(IServiceProvider services, IReadOnlyList<IIntegrationEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(events);
        var errors = new string?[events.Count];
        if (events.Count == 0)
        {
            return errors;
        }

        var eventType = events[0].GetType();
        if (events.Any(e => e.GetType() != eventType))
        {
            throw new ArgumentException("A run holds events of one type.", nameof(events));
        }

        void Fail(int index, Exception e) => AddError(ref errors[index], Describe(e));

        foreach (var handler in services.GetServices(typeof(INotificationHandler<>).MakeGenericType(eventType)))
        {
            if (handler is IBatchConsumer batch)
            {
                try
                {
                    await batch.HandleBatchAsync(events, Fail, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    for (var i = 0; i < events.Count; i++)
                    {
                        Fail(i, e);
                    }
                }

                continue;
            }

            var handle = PlainHandlers.GetOrAdd(eventType, static type => (Func<object, IIntegrationEvent, CancellationToken, Task>)typeof(IntegrationEventRun)
                .GetMethod(nameof(InvokePlain), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(type)
                .CreateDelegate(typeof(Func<object, IIntegrationEvent, CancellationToken, Task>)));
            for (var i = 0; i < events.Count; i++)
            {
                try
                {
                    await handle(handler!, events[i], cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Fail(i, e);
                }
            }
        }

        return errors;
    }

    /// <summary>Adds <paramref name="error"/> to what failed for one event (several consumers' failures separated by <c> | </c>).</summary>
    internal static void AddError(ref string? errors, string error) => errors = errors is null ? error : errors + " | " + error;

    /// <summary>What failed, as an outbox row's <c>LastError</c> records it (every handler of a multi-handler failure).</summary>
    internal static string Describe(Exception e) =>
        e is NotificationHandlersFailedException failed
            ? string.Join(" | ", failed.InnerExceptions.Select(i => $"{i.GetType().Name}: {i.Message}"))
            : $"{e.GetType().Name}: {e.Message}";

    private static Task InvokePlain<TEvent>(object handler, IIntegrationEvent integrationEvent, CancellationToken cancellationToken)
        where TEvent : INotification =>
        ((INotificationHandler<TEvent>)handler).Handle((TEvent)integrationEvent, cancellationToken);
}
