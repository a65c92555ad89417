using Monetization.BuildingBlocks.Telemetry;
using System.Diagnostics;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Data;
using Monetization.IntegrationEvents;

namespace Monetization.BuildingBlocks.Outbox;

/// <summary>
/// Base of every integration event consumer: runs <see cref="HandleAsync"/> and records (EventId, consumer) in the
/// module's inbox in one transaction of the module's own database, so a redelivery, a retry after another consumer
/// failed, or a concurrent duplicate is a no-op. On failure nothing of the consumer's is kept and the exception goes
/// back to the dispatcher, which retries with backoff.
/// </summary>
/// <typeparam name="TEvent">The event consumed.</typeparam>
/// <typeparam name="TDbContext">The consuming module's context.</typeparam>
public abstract class IdempotentConsumer<TEvent, TDbContext>(TDbContext db, TimeProvider clock) : INotificationHandler<TEvent>, IBatchConsumer
    where TEvent : IIntegrationEvent
    where TDbContext : ModuleDbContext
{
    /// <summary>Most events handled in one transaction (the module's write gate is held for all of them).</summary>
    public const int MaxBatch = 64;

    /// <summary>The module's context; changes made through it commit with the inbox row.</summary>
    protected TDbContext Db => db;

    /// <summary>The injected clock.</summary>
    protected TimeProvider Clock => clock;

    /// <summary>The inbox key of this consumer: its full type name (stable across releases; renaming a consumer re-runs it).</summary>
    protected virtual string ConsumerName => GetType().FullName ?? GetType().Name;

    /// <inheritdoc />
    public async Task Handle(TEvent notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        db.ChangeTracker.Clear();
        using var activity = MonetizationTelemetry.Source.StartActivity("consume " + GetType().Name, ActivityKind.Internal);
        activity?.SetTag("monetization.consumer", ConsumerName);
        try
        {
            if (await ConcernsAsync(notification, cancellationToken))
            {
                await HandleConcernedAsync(notification, cancellationToken);
            }
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>One event in its own transaction with its inbox row (the caller asked <see cref="ConcernsAsync"/>).</summary>
    private async Task HandleConcernedAsync(TEvent notification, CancellationToken cancellationToken)
    {
        var name = ConsumerName;

        // What the check read was read outside the transaction: HandleAsync must not get it back through identity resolution.
        db.ChangeTracker.Clear();
        await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);

        // The inbox row first: when it is already there the transaction is rolled back untouched. Cheaper than a LINQ
        // existence query plus a tracked insert.
        if (!await ClaimInboxAsync(notification.EventId, name, cancellationToken))
        {
            return;
        }

        await HandleAsync(notification, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Handles a run of events of one type, in order, in as few transactions as possible (issue 22, docs/adr/0063): the
    /// events this consumer is concerned with (<see cref="ConcernsAsync"/>) are handled up to <see cref="MaxBatch"/> at a
    /// time in one transaction of the module's database, each with its inbox row, and saved one after the other so each
    /// sees the ones before it (<see cref="HandleRunAsync"/>). If any of them fails, that transaction is rolled back whole and its events are handled again
    /// one transaction each, so a failure stays with its own event: it is reported through <paramref name="failed"/>
    /// (index into <paramref name="events"/>, exception) and the others are kept. Cancellation is thrown, not reported.
    /// </summary>
    public async Task HandleBatchAsync(IReadOnlyList<IIntegrationEvent> events, Action<int, Exception> failed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(failed);
        db.ChangeTracker.Clear();
        var concerned = await ConcernedAsync(events, failed, cancellationToken);

        for (var start = 0; start < concerned.Count; start += MaxBatch)
        {
            var chunk = concerned.GetRange(start, Math.Min(MaxBatch, concerned.Count - start));
            if (chunk.Count > 1 && await TryHandleTogetherAsync(events, chunk, cancellationToken))
            {
                continue;
            }

            foreach (var i in chunk)
            {
                try
                {
                    await HandleConcernedAsync((TEvent)events[i], cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failed(i, e);
                }
                finally
                {
                    db.ChangeTracker.Clear();
                }
            }
        }
    }

    /// <summary>
    /// The indexes of the events of a run this consumer is concerned with, in order: the run's answer
    /// (<see cref="ConcernsRunAsync"/>) when it gives one, else each event's (<see cref="ConcernsAsync"/>), a failure reported
    /// for its own event. A run's answer that throws is not reported: the events are asked one by one instead, so a failure
    /// stays with the event that causes it.
    /// </summary>
    private async Task<List<int>> ConcernedAsync(IReadOnlyList<IIntegrationEvent> events, Action<int, Exception> failed, CancellationToken cancellationToken)
    {
        var concerned = new List<int>(events.Count);
        bool[]? answers = null;
        try
        {
            answers = await ConcernsRunAsync(events.Select(e => (TEvent)e).ToList(), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            answers = null;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }

        if (answers is not null)
        {
            if (answers.Length != events.Count)
            {
                throw new InvalidOperationException($"{GetType().Name}.ConcernsRunAsync answered for {answers.Length} events of a run of {events.Count}.");
            }

            for (var i = 0; i < answers.Length; i++)
            {
                if (answers[i])
                {
                    concerned.Add(i);
                }
            }

            return concerned;
        }

        for (var i = 0; i < events.Count; i++)
        {
            try
            {
                if (await ConcernsAsync((TEvent)events[i], cancellationToken))
                {
                    concerned.Add(i);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed(i, e);
            }
        }

        return concerned;
    }

    /// <summary>The chunk in one transaction; false (nothing kept) when any of it failed.</summary>
    private async Task<bool> TryHandleTogetherAsync(IReadOnlyList<IIntegrationEvent> events, List<int> chunk, CancellationToken cancellationToken)
    {
        var name = ConsumerName;
        using var activity = MonetizationTelemetry.Source.StartActivity("consume " + GetType().Name, ActivityKind.Internal);
        activity?.SetTag("monetization.consumer", name);
        activity?.SetTag("monetization.batch_size", chunk.Count);
        try
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
            var claimed = new List<TEvent>(chunk.Count);
            foreach (var i in chunk)
            {
                var integrationEvent = (TEvent)events[i];
                if (await ClaimInboxAsync(integrationEvent.EventId, name, cancellationToken))
                {
                    claimed.Add(integrationEvent);
                }
            }

            if (claimed.Count > 0)
            {
                await HandleRunAsync(claimed, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "batch rolled back: " + e.GetType().Name);
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// The inbox row, with one statement: false (0 rows) means this consumer already handled the event (a duplicate or a
    /// retry after another consumer failed). The primary key makes it exact under concurrency; the parameters go through EF
    /// Core's type mappings, so the Guid is stored exactly as the model reads it.
    /// </summary>
    private async Task<bool> ClaimInboxAsync(Guid eventId, string name, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return (db.IsPostgres()
            ? await db.Database.ExecuteSqlAsync(
                $"INSERT INTO \"InboxMessages\" (\"EventId\", \"Consumer\", \"ProcessedAt\") VALUES ({eventId}, {name}, {now}) ON CONFLICT DO NOTHING",
                cancellationToken)
            : await db.Database.ExecuteSqlAsync(
                $"INSERT INTO InboxMessages (EventId, Consumer, ProcessedAt) VALUES ({eventId}, {name}, {now.UtcTicks}) ON CONFLICT DO NOTHING",
                cancellationToken)) > 0;
    }

    /// <summary>
    /// Whether the event has anything for this consumer, asked before the write gate, the transaction and the inbox claim:
    /// false means nothing is written at all, not even the inbox row (default: true). It must only read. A redelivery asks
    /// again, so an event that comes to concern the consumer later is still handled once, through the inbox. What it reads
    /// is read outside the transaction, so <see cref="HandleAsync"/> checks again what it relies on. In a run
    /// (<see cref="HandleBatchAsync"/>) it is asked for every event before any of them is handled, so it must not depend on
    /// what this consumer's handling of the same event type writes.
    /// </summary>
    protected virtual ValueTask<bool> ConcernsAsync(TEvent integrationEvent, CancellationToken cancellationToken) => ValueTask.FromResult(true);

    /// <summary>
    /// <see cref="ConcernsAsync"/> for a whole run (<see cref="HandleBatchAsync"/>) at once: one answer per event, in order,
    /// each the one <see cref="ConcernsAsync"/> would give, or null (the default) to have each event asked on its own. A
    /// consumer whose check is a query overrides this to ask once per run instead of once per event (issue 22: Marketplace's
    /// <c>InvoicePaid</c> check was 2 % of the webhook path's CPU as one query per invoice line). Same rules as
    /// <see cref="ConcernsAsync"/>: it only reads, outside the transaction. When it throws, the run's events are asked one
    /// by one, so a failure is reported for its own event only.
    /// </summary>
    protected virtual ValueTask<bool[]?> ConcernsRunAsync(IReadOnlyList<TEvent> integrationEvents, CancellationToken cancellationToken) =>
        ValueTask.FromResult<bool[]?>(null);

    /// <summary>
    /// The effects of a run of events (in order) inside one transaction, their inbox rows already claimed; saving is done by
    /// the base after it. The default handles them one by one with <see cref="HandleAsync"/>, saving after each, so each sees
    /// the ones before it; entities stay tracked from one event to the next (what was saved is what the database holds: this
    /// transaction is the module's only writer), so a later event finds them by key without a query. A consumer whose events
    /// can be applied set-wise (one read for the whole run) overrides this; it must give the same result as the default.
    /// </summary>
    protected virtual async Task HandleRunAsync(IReadOnlyList<TEvent> integrationEvents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(integrationEvents);
        foreach (var integrationEvent in integrationEvents)
        {
            await HandleAsync(integrationEvent, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>The consumer's effects: change entities through <see cref="Db"/> (and raise events with
    /// <see cref="ModuleDbContext.AddIntegrationEvent"/>); saving is done by the base, though calling SaveChanges is allowed.</summary>
    protected abstract Task HandleAsync(TEvent integrationEvent, CancellationToken cancellationToken);
}

/// <summary>
/// A consumer that can take a run of outbox events of one type at once (<see cref="IdempotentConsumer{TEvent,TDbContext}"/>);
/// the outbox dispatcher hands such a consumer the run instead of publishing event by event.
/// </summary>
public interface IBatchConsumer
{
    /// <summary>Handles <paramref name="events"/> in order; a failure of one event is reported through <paramref name="failed"/>
    /// (its index, the exception) and does not undo the others. Cancellation is thrown.</summary>
    Task HandleBatchAsync(IReadOnlyList<IIntegrationEvent> events, Action<int, Exception> failed, CancellationToken cancellationToken);
}
