using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;

namespace Monetization.Subscriptions.Features.HandleStripeEvents;

/// <summary>
/// Stores and applies a batch of verified Stripe deliveries: the batch <see cref="StripeEventIntake"/> formed from
/// concurrent <c>POST /v1/webhooks/stripe</c> requests (a lone delivery is a batch of one). The deliveries share one
/// transaction when every one applies without an error; if any fails, that transaction is rolled back and each is stored
/// and applied on its own by <see cref="StripeEventProcessor"/>, so one bad event costs the others nothing but time.
/// An event is stored once (unique by Stripe's event id: a redelivery, or a repeat within the batch, is a
/// <c>duplicate</c>). An event that needs a subscription or invoice from Stripe first (issue 16) is set aside, not stored,
/// and its outcome says what to fetch (<see cref="StripeEventOutcome.Refetch"/>).
/// </summary>
internal static partial class HandleStripeEvents
{
    /// <summary>The batch, in delivery order.</summary>
    /// <param name="Events">The verified deliveries.</param>
    /// <param name="JoinOnceWriting">
    /// Called once, right after the batch's transaction holds the module's writer lock (<see cref="StripeEventStore.BeginWriteAsync"/>),
    /// for the deliveries that arrived while it waited; they are appended to the batch, in order, and answered with it.
    /// With several Hosts on PostgreSQL that wait is the other Hosts' batches, and what queued meanwhile would otherwise
    /// wait for one more turn of the lock (issue 17, docs/performance.md). Null: the batch is <paramref name="Events"/>.
    /// </param>
    internal sealed record Request(IReadOnlyList<IncomingStripeEvent> Events, Func<IReadOnlyList<IncomingStripeEvent>>? JoinOnceWriting = null)
        : IRequest<IReadOnlyList<StripeEventOutcome>>;

    internal sealed partial class Handler(
        SubscriptionsDbContext db, StripeEventStore store, StripeEventTranslator translator, StripeEventProcessor processor, ILoggerFactory loggers)
        : IRequestHandler<Request, IReadOnlyList<StripeEventOutcome>>
    {
        private readonly ILogger _logger = loggers.CreateLogger(typeof(HandleStripeEvents).FullName!);

        public async Task<IReadOnlyList<StripeEventOutcome>> Handle(Request request, CancellationToken cancellationToken)
        {
            var batch = new List<IncomingStripeEvent>(request.Events);
            if ((batch.Count > 1 || request.JoinOnceWriting is not null) && batch.All(b => b.Fetched is null)
                && await TryTogetherAsync(batch, request.JoinOnceWriting, cancellationToken) is { } together)
            {
                return together;
            }

            var outcomes = new StripeEventOutcome[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                outcomes[i] = await processor.ReceiveAsync(batch[i], cancellationToken);
            }

            return outcomes;
        }

        /// <summary>
        /// The batch, with what <paramref name="join"/> adds once the lock is held, in one transaction: the outcomes in batch
        /// order, or null (and nothing stored) as soon as one event throws, so the caller can take them one by one (the
        /// joined ones too: <paramref name="batch"/> holds them). Events already stored, or repeated within the batch, are duplicates.
        /// </summary>
        private async Task<StripeEventOutcome[]?> TryTogetherAsync(List<IncomingStripeEvent> batch, Func<IReadOnlyList<IncomingStripeEvent>>? join, CancellationToken ct)
        {
            db.ChangeTracker.Clear();
            var autoSavepoints = db.Database.AutoSavepointsEnabled;
            db.Database.AutoSavepointsEnabled = false; // a failure abandons the whole transaction, so savepoints buy nothing
            db.ChangeTracker.AutoDetectChangesEnabled = false; // one change scan per save, not one per query
            db.SaveWithPreparedStatements = true; // on SQLite, the batch's accounts and invoices without EF Core's update pipeline
            try
            {
                await using var tx = await store.BeginWriteAsync(ct);
                if (join is not null)
                {
                    batch.AddRange(join()); // what queued while this waited for the lock; taken one by one below if the batch fails
                }

                var outcomes = new StripeEventOutcome[batch.Count];
                var records = new List<StripeEventRecord>(batch.Count);
                var seen = await store.StoredIdsAsync(batch.Select(b => b.Event.Id).Distinct(), ct);
                await translator.PreloadAsync(batch.Select(b => b.Event), ct);
                for (var i = 0; i < batch.Count; i++)
                {
                    var evt = batch[i].Event;
                    if (!seen.Add(evt.Id))
                    {
                        outcomes[i] = StripeEventOutcome.Of(StripeEventOutcomes.Duplicate);
                        continue;
                    }

                    if (StripeEventTranslator.ReadsBeyondKeys(evt.Type))
                    {
                        await SaveAsync(ct);
                    }

                    var ignoredBecause = processor.LivemodeMismatch(evt);
                    if (ignoredBecause is null && await translator.ToFetchAsync(evt, ct) is { } toFetch)
                    {
                        // Set aside, not stored: the intake fetches the subscription or invoice and submits the event again with it.
                        outcomes[i] = new StripeEventOutcome(null, toFetch);
                        continue;
                    }

                    var record = processor.NewRecord(evt, batch[i].Payload);
                    records.Add(record);
                    db.TraceParentOfNewEvents = batch[i].TraceParent;
                    var status = ignoredBecause is null ? await translator.ApplyAsync(evt, null, ct) : StripeEventStatuses.Ignored;
                    processor.Complete(record, status, ignoredBecause);
                    outcomes[i] = StripeEventOutcome.Of(status);
                }

                // Reads in the translator go through the preloaded entities and the change tracker, which see unsaved
                // changes, so the batch is saved once; a constraint the batch breaks fails this save and the events are
                // taken one by one. Nothing in the batch reads the event rows, so they go in last, through the store.
                await store.InsertNewAsync(records, ct);
                await SaveAsync(ct);
                await tx.CommitAsync(ct);
                return outcomes;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogBatchFallback(_logger, batch.Count, e.GetType().Name, e.Message);
                return null;
            }
            finally
            {
                db.TraceParentOfNewEvents = null;
                db.ChangeTracker.AutoDetectChangesEnabled = true;
                db.SaveWithPreparedStatements = false;
                db.Database.AutoSavepointsEnabled = autoSavepoints;
                db.ChangeTracker.Clear();
                translator.ForgetPreloaded();
            }
        }

        private async Task SaveAsync(CancellationToken ct)
        {
            db.ChangeTracker.DetectChanges();
            await db.SaveChangesAsync(ct);
        }

        // Information, not Debug: a fallback is normal when one event of the batch fails (that failure is logged as a
        // warning), but a batch that always falls back costs every delivery its own transaction, and this line is how an
        // operator sees it.
        [LoggerMessage(Level = LogLevel.Information, Message = "A batch of {Count} Stripe events fell back to one transaction each: {ErrorType}: {Error}")]
        private static partial void LogBatchFallback(ILogger logger, int count, string errorType, string error);
    }
}

/// <summary>What became of a delivered or retried Stripe event.</summary>
internal static class StripeEventOutcomes
{
    public const string Duplicate = "duplicate";
}

/// <summary>A verified delivery on its way to the store.</summary>
/// <param name="Event">The parsed envelope.</param>
/// <param name="Payload">The raw body, stored as received.</param>
/// <param name="Fetched">What Stripe returned for the subscription or invoice the event needed (second submission of an event set
/// aside for a re-fetch), else null. When its <see cref="RefetchResult.Failure"/> is set the event is stored as failed and retried
/// in the background.</param>
/// <param name="TraceParent">The W3C <c>traceparent</c> of the delivering request (null without tracing): the events it raises join that trace.</param>
internal sealed record IncomingStripeEvent(StripeEventEnvelope Event, string Payload, RefetchResult? Fetched = null, string? TraceParent = null);

/// <summary>What storing a delivery came to.</summary>
/// <param name="Status"><c>processed</c>, <c>ignored</c>, <c>failed</c> or <c>duplicate</c>; null when <paramref name="Refetch"/> is set.</param>
/// <param name="Refetch">Set when nothing was stored because the event ties with the stored state or needs a subscription or
/// invoice whose state is not stored: fetch it from Stripe (<see cref="StripeRefetch"/>) and submit the event again with it.</param>
internal sealed record StripeEventOutcome(string? Status, RefetchRequiredException? Refetch = null)
{
    public static StripeEventOutcome Of(string status) => new(status);
}
