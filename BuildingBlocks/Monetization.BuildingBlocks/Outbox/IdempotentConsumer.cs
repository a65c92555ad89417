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
public abstract class IdempotentConsumer<TEvent, TDbContext>(TDbContext db, TimeProvider clock) : INotificationHandler<TEvent>
    where TEvent : IIntegrationEvent
    where TDbContext : ModuleDbContext
{
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
        var name = ConsumerName;
        using var activity = MonetizationTelemetry.Source.StartActivity("consume " + GetType().Name, ActivityKind.Internal);
        activity?.SetTag("monetization.consumer", name);

        var eventId = notification.EventId;
        try
        {
            if (!await ConcernsAsync(notification, cancellationToken))
            {
                return;
            }

            // What the check read was read outside the transaction: HandleAsync must not get it back through identity resolution.
            db.ChangeTracker.Clear();
            using var writer = await SqliteWriteGate.EnterAsync(db, cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

            // The inbox row first, with one statement: 0 rows means this consumer already handled the event (a duplicate
            // or a retry after another consumer failed), and the transaction is rolled back untouched. Cheaper than a LINQ
            // existence query plus a tracked insert, and the primary key makes it exact under concurrency. The parameters
            // go through EF Core's type mappings, so the Guid is stored exactly as the model reads it.
            var processedAt = clock.GetUtcNow().UtcTicks;
            var claimed = await db.Database.ExecuteSqlAsync(
                $"INSERT INTO InboxMessages (EventId, Consumer, ProcessedAt) VALUES ({eventId}, {name}, {processedAt}) ON CONFLICT DO NOTHING",
                cancellationToken);
            if (claimed == 0)
            {
                return;
            }

            await HandleAsync(notification, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// Whether the event has anything for this consumer, asked before the write gate, the transaction and the inbox claim:
    /// false means nothing is written at all, not even the inbox row (default: true). It must only read. A redelivery asks
    /// again, so an event that comes to concern the consumer later is still handled once, through the inbox. What it reads
    /// is read outside the transaction, so <see cref="HandleAsync"/> checks again what it relies on.
    /// </summary>
    protected virtual ValueTask<bool> ConcernsAsync(TEvent integrationEvent, CancellationToken cancellationToken) => ValueTask.FromResult(true);

    /// <summary>The consumer's effects: change entities through <see cref="Db"/> (and raise events with
    /// <see cref="ModuleDbContext.AddIntegrationEvent"/>); saving is done by the base, though calling SaveChanges is allowed.</summary>
    protected abstract Task HandleAsync(TEvent integrationEvent, CancellationToken cancellationToken);
}
