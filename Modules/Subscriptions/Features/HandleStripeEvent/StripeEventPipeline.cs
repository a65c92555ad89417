using Monetization.BuildingBlocks.Data;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StripeNet = Stripe;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;

namespace Monetization.Subscriptions.Features.HandleStripeEvent;

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

/// <summary>
/// Stores and processes Stripe events: a new event is stored (unique by id) and processed in one transaction, so a
/// redelivery finds it and changes nothing; a processing failure rolls the effects back and stores the event as
/// <c>failed</c> with its error and a next attempt (exponential backoff), for <see cref="Jobs.StripeEventRetryJob"/> or an
/// admin replay. Deliveries arrive in batches from <see cref="StripeEventIntake"/> and share one transaction when they all
/// apply cleanly; otherwise each gets its own. A subscription tie is settled by re-fetching the subscription from Stripe
/// outside the transaction: by the intake for a delivery (<see cref="StripeEventOutcome.Refetch"/>), here for a
/// retry or replay.
/// </summary>
internal sealed partial class StripeEventPipeline(
    SubscriptionsDbContext db,
    StripeEventTranslator translator,
    StripeNet.StripeClient stripe,
    TimeProvider clock,
    IOptions<SubscriptionsOptions> options,
    IOptions<Monetization.Stripe.StripeOptions> stripeOptions,
    ILogger<StripeEventPipeline> logger)
{
    /// <summary>
    /// Why an event is not applied because its <c>livemode</c> is not the mode of our key (issue 16): a live key
    /// (<c>sk_live_</c>/<c>rk_live_</c>) never applies test events (anyone can create those with a free test account and
    /// the endpoint's secret leaked to staging), and a test key (or the emulator) never applies live events. Null when they match.
    /// </summary>
    internal string? LivemodeMismatch(StripeEventEnvelope evt)
    {
        var key = stripeOptions.Value.SecretKey;
        var live = key.StartsWith("sk_live_", StringComparison.Ordinal) || key.StartsWith("rk_live_", StringComparison.Ordinal);
        if (evt.Livemode == live)
        {
            return null;
        }

        return live
            ? "livemode_mismatch: a test-mode event (livemode false) reached a Host with a live key; not applied"
            : "livemode_mismatch: a live event (livemode true) reached a Host with a test key or the emulator; not applied";
    }

    /// <summary>Parses a stored or received event body (the envelope; <c>data.object</c> is bound to Stripe.net's model when read).</summary>
    /// <exception cref="JsonException">Not an event.</exception>
    public static StripeEventEnvelope Parse(ReadOnlySpan<byte> utf8) => StripeEventEnvelope.Parse(utf8);

    /// <summary>
    /// Stores and processes deliveries in order. All of them share one transaction when every one applies without an error;
    /// if any fails, that transaction is rolled back and each is stored and processed on its own (so one bad event costs the
    /// others nothing but time).
    /// </summary>
    /// <returns>One outcome per delivery, in order.</returns>
    public async Task<IReadOnlyList<StripeEventOutcome>> ReceiveBatchAsync(IReadOnlyList<IncomingStripeEvent> batch, CancellationToken ct)
    {
        var outcomes = new StripeEventOutcome[batch.Count];
        if (batch.Count > 1 && batch.All(b => b.Fetched is null) && await TryReceiveTogetherAsync(batch, outcomes, ct))
        {
            return outcomes;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            outcomes[i] = await ReceiveAsync(batch[i], ct);
        }

        return outcomes;
    }

    /// <summary>Stores a newly delivered event and processes it in its own transaction.</summary>
    public async Task<StripeEventOutcome> ReceiveAsync(IncomingStripeEvent incoming, CancellationToken ct)
    {
        var record = NewRecord(incoming.Event, incoming.Payload);
        if (incoming.Fetched?.Failure is { } failure)
        {
            var stored = await RecordFailureAsync(record, isNew: true, failure, ct);
            return StripeEventOutcome.Of(stored ? StripeEventStatuses.Failed : StripeEventOutcomes.Duplicate);
        }

        db.TraceParentOfNewEvents = incoming.TraceParent;
        try
        {
            return await ProcessAsync(incoming.Event, record, isNew: true, incoming.Fetched, refetchHere: false, force: false, ct);
        }
        finally
        {
            db.TraceParentOfNewEvents = null;
        }
    }

    /// <summary>Processes a stored event again (background retry, or admin replay when <paramref name="force"/>).</summary>
    /// <returns>The new status, or null when no such event.</returns>
    public async Task<string?> ReprocessAsync(string eventId, bool force, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var stored = await db.StripeEvents.AsNoTracking().FirstOrDefaultAsync(e => e.Id == eventId, ct);
        if (stored is null)
        {
            return null;
        }

        if (!force && stored.Status != StripeEventStatuses.Failed)
        {
            return stored.Status;
        }

        StripeEventEnvelope evt;
        try
        {
            evt = Parse(System.Text.Encoding.UTF8.GetBytes(stored.Payload));
        }
        catch (JsonException e)
        {
            await RecordFailureAsync(stored, isNew: false, e, ct);
            return StripeEventStatuses.Failed;
        }

        var outcome = await ProcessAsync(evt, stored, isNew: false, fetched: null, refetchHere: true, force, ct);
        return outcome.Status ?? StripeEventStatuses.Failed;
    }

    /// <summary>
    /// The batch in one transaction: false (and nothing stored) as soon as one event throws, so the caller can take them one
    /// by one. Events already stored, or repeated within the batch, are duplicates.
    /// </summary>
    private async Task<bool> TryReceiveTogetherAsync(IReadOnlyList<IncomingStripeEvent> batch, StripeEventOutcome[] outcomes, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var autoSavepoints = db.Database.AutoSavepointsEnabled;
        db.Database.AutoSavepointsEnabled = false; // a failure abandons the whole transaction, so savepoints buy nothing
        db.ChangeTracker.AutoDetectChangesEnabled = false; // one change scan per save, not one per query
        try
        {
            using var writer = await SqliteWriteGate.EnterAsync(db, ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var records = new List<StripeEventRecord>(batch.Count);
            var seen = (await db.Database.SqlQueryRaw<string>(StoredIdsSql, StripeEventTranslator.JsonList(batch.Select(b => b.Event.Id).Distinct())).ToListAsync(ct))
                .ToHashSet(StringComparer.Ordinal);
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

                var ignoredBecause = LivemodeMismatch(evt);
                if (ignoredBecause is null && await translator.ToFetchAsync(evt, ct) is { } toFetch)
                {
                    // Set aside, not stored: the intake fetches the subscription or invoice and submits the event again with it.
                    outcomes[i] = new StripeEventOutcome(null, toFetch);
                    continue;
                }

                var record = NewRecord(evt, batch[i].Payload);
                records.Add(record);
                db.TraceParentOfNewEvents = batch[i].TraceParent;
                var status = ignoredBecause is null ? await translator.ApplyAsync(evt, null, ct) : StripeEventStatuses.Ignored;
                Complete(record, status, ignoredBecause);
                outcomes[i] = StripeEventOutcome.Of(status);
            }

            // Reads in the translator go through the preloaded entities and the change tracker, which see unsaved changes, so
            // the batch is saved once; a constraint the batch breaks fails this save and the events are taken one by one.
            // The event rows (nothing in the batch reads them) go in through one prepared statement rather than EF Core,
            // which built and compiled one INSERT of 13 parameters per event.
            InsertRecords(records);
            await SaveAsync(ct);
            await tx.CommitAsync(ct);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogBatchFallback(logger, batch.Count, e.GetType().Name, e.Message);
            return false;
        }
        finally
        {
            db.TraceParentOfNewEvents = null;
            db.ChangeTracker.AutoDetectChangesEnabled = true;
            db.Database.AutoSavepointsEnabled = autoSavepoints;
            db.ChangeTracker.Clear();
            translator.ForgetPreloaded();
        }
    }

    /// <summary>Which of the JSON array <c>{0}</c> of event ids are stored (one SQL text for every batch size).</summary>
    private const string StoredIdsSql = "SELECT Id AS Value FROM StripeEvents WHERE Id IN (SELECT value FROM json_each({0}))";

    private const string InsertRecordSql =
        "INSERT INTO StripeEvents (Id, Type, Created, ObjectId, Account, Livemode, Payload, Status, Attempts, LastError, ReceivedAt, ProcessedAt, NextAttemptAt) "
        + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

    /// <summary>Stores new event rows in the open transaction, as the model maps them (times as UTC ticks); a stored id throws.</summary>
    private void InsertRecords(List<StripeEventRecord> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        using var insert = SqliteStatement.Prepare(db.Database.GetDbConnection(), InsertRecordSql);
        foreach (var r in records)
        {
            insert.Bind(1, r.Id);
            insert.Bind(2, r.Type);
            insert.Bind(3, r.Created.UtcTicks);
            insert.Bind(4, r.ObjectId);
            insert.Bind(5, r.Account);
            insert.Bind(6, r.Livemode ? 1 : 0);
            insert.Bind(7, r.Payload);
            insert.Bind(8, r.Status);
            insert.Bind(9, r.Attempts);
            insert.Bind(10, r.LastError);
            insert.Bind(11, r.ReceivedAt.UtcTicks);
            insert.Bind(12, r.ProcessedAt?.UtcTicks);
            insert.Bind(13, r.NextAttemptAt?.UtcTicks);
            insert.Execute();
        }
    }

    private async Task SaveAsync(CancellationToken ct)
    {
        db.ChangeTracker.DetectChanges();
        await db.SaveChangesAsync(ct);
    }

    private StripeEventRecord NewRecord(StripeEventEnvelope evt, string payload) => new()
    {
        Id = evt.Id,
        Type = evt.Type,
        Created = evt.Created,
        ObjectId = evt.ObjectId,
        Account = evt.Account,
        Livemode = evt.Livemode,
        Payload = payload,
        ReceivedAt = clock.GetUtcNow(),
    };

    /// <param name="record">The event's row.</param>
    /// <param name="status">What applying it came to.</param>
    /// <param name="reason">Why an <c>ignored</c> event was not applied (kept in <see cref="StripeEventRecord.LastError"/>), else null.</param>
    private void Complete(StripeEventRecord record, string status, string? reason = null)
    {
        record.Status = status;
        record.Attempts++;
        record.ProcessedAt = clock.GetUtcNow();
        record.LastError = reason;
        record.NextAttemptAt = null;
    }

    /// <param name="evt">The parsed event.</param>
    /// <param name="record">Its row: new (<paramref name="isNew"/>) or as stored.</param>
    /// <param name="isNew">A delivery (stored here) rather than a retry of a stored event.</param>
    /// <param name="fetched">What the caller already fetched from Stripe for this event (a tie, an unknown subscription or invoice), else null.</param>
    /// <param name="refetchHere">When the event needs a fetch, do it here and try again (retries, replays); otherwise return
    /// <see cref="StripeEventOutcome.Refetch"/> with nothing stored (the intake fetches outside its writer loop).</param>
    /// <param name="force">Replay an event whatever its status (admin).</param>
    /// <param name="ct">Cancels the work.</param>
    private async Task<StripeEventOutcome> ProcessAsync(
        StripeEventEnvelope evt, StripeEventRecord record, bool isNew, RefetchResult? fetched, bool refetchHere, bool force, CancellationToken ct)
    {
        Exception? failure = null;
        for (var pass = 0; pass < 2; pass++)
        {
            db.ChangeTracker.Clear();
            try
            {
                // Queue for the database's writer in process rather than in SQLite's sleeping busy handler (webhook bursts).
                using var writer = await SqliteWriteGate.EnterAsync(db, ct);
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                if (isNew)
                {
                    if (await db.StripeEvents.AnyAsync(e => e.Id == record.Id, ct))
                    {
                        return StripeEventOutcome.Of(StripeEventOutcomes.Duplicate);
                    }

                    db.StripeEvents.Add(record);
                }
                else
                {
                    var current = await db.StripeEvents.AsNoTracking().Where(e => e.Id == record.Id).Select(e => e.Status).FirstOrDefaultAsync(ct);
                    if (!force && current != StripeEventStatuses.Failed)
                    {
                        return StripeEventOutcome.Of(current ?? StripeEventStatuses.Failed); // another instance got to it first
                    }

                    db.StripeEvents.Attach(record);
                }

                var ignoredBecause = LivemodeMismatch(evt);
                var status = ignoredBecause is null ? await translator.ApplyAsync(evt, fetched, ct) : StripeEventStatuses.Ignored;
                Complete(record, status, ignoredBecause);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                return StripeEventOutcome.Of(status);
            }
            catch (RefetchRequiredException required) when (pass == 0 && fetched is null)
            {
                if (!refetchHere)
                {
                    return new StripeEventOutcome(null, required);
                }

                fetched = await StripeRefetch.FetchAsync(stripe, required, ct);
                if (fetched.Failure is { } e)
                {
                    failure = e;
                    break;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (isNew && e is DbUpdateException && await IsStoredAsync(record.Id, ct))
                {
                    return StripeEventOutcome.Of(StripeEventOutcomes.Duplicate); // a concurrent delivery stored it first
                }

                failure = e;
                break;
            }
        }

        var stored = await RecordFailureAsync(record, isNew, failure ?? new InvalidOperationException("The event could not be applied after re-fetching from Stripe what it refers to."), ct);
        return StripeEventOutcome.Of(stored ? StripeEventStatuses.Failed : StripeEventOutcomes.Duplicate);
    }

    /// <returns>False when a concurrent delivery of the same event was stored first (this one is a duplicate).</returns>
    private async Task<bool> RecordFailureAsync(StripeEventRecord record, bool isNew, Exception failure, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var now = clock.GetUtcNow();
        record.Status = StripeEventStatuses.Failed;
        record.Attempts++;
        record.LastError = $"{failure.GetType().Name}: {failure.Message}";
        record.NextAttemptAt = record.Attempts >= options.Value.WebhookMaxAttempts ? null : now + Backoff(record.Attempts);
        LogFailed(logger, record.Id, record.Type, record.Attempts, failure);
        try
        {
            if (isNew)
            {
                if (await db.StripeEvents.AnyAsync(e => e.Id == record.Id, ct))
                {
                    return false;
                }

                db.StripeEvents.Add(record);
            }
            else
            {
                db.StripeEvents.Update(record);
            }

            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException) when (isNew)
        {
            return false; // a concurrent delivery stored it first
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private TimeSpan Backoff(int attempts)
    {
        var seconds = options.Value.WebhookRetryBaseSeconds * Math.Pow(2, Math.Min(attempts - 1, 20));
        return TimeSpan.FromSeconds(Math.Min(seconds, 3600));
    }

    private async Task<bool> IsStoredAsync(string id, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        return await db.StripeEvents.AsNoTracking().AnyAsync(e => e.Id == id, ct);
    }

    // Information, not Debug: a fallback is normal when one event of the batch fails (that failure is logged as a warning),
    // but a batch that always falls back costs every delivery its own transaction, and this line is how an operator sees it.
    [LoggerMessage(Level = LogLevel.Information, Message = "A batch of {Count} Stripe events fell back to one transaction each: {ErrorType}: {Error}")]
    private static partial void LogBatchFallback(ILogger logger, int count, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe event {EventId} ({Type}) failed on attempt {Attempts}")]
    private static partial void LogFailed(ILogger logger, string eventId, string type, int attempts, Exception error);
}
