using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StripeNet = Stripe;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;

namespace Monetization.Subscriptions.Features.HandleStripeEvents;

/// <summary>
/// Stores and processes one Stripe event in its own transaction: a new event is stored (unique by id) and applied
/// together, so a redelivery finds it and changes nothing; a processing failure rolls the effects back and stores the
/// event as <c>failed</c> with its error and a next attempt (exponential backoff), for <see cref="Jobs.StripeEventRetryJob"/>
/// or an admin replay. Used for a delivery that could not share its batch's transaction (<see cref="HandleStripeEvents"/>),
/// and for retries and replays. A subscription tie is settled by re-fetching the subscription from Stripe outside the
/// transaction: by the intake for a delivery (<see cref="StripeEventOutcome.Refetch"/>), here for a retry or replay.
/// </summary>
internal sealed partial class StripeEventProcessor(
    SubscriptionsDbContext db,
    StripeEventTranslator translator,
    StripeNet.StripeClient stripe,
    TimeProvider clock,
    IOptions<SubscriptionsOptions> options,
    IOptions<Monetization.Stripe.StripeOptions> stripeOptions,
    StripeEventStore store,
    ILogger<StripeEventProcessor> logger)
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
            evt = StripeEventEnvelope.Parse(System.Text.Encoding.UTF8.GetBytes(stored.Payload));
        }
        catch (JsonException e)
        {
            await RecordFailureAsync(stored, isNew: false, e, ct);
            return StripeEventStatuses.Failed;
        }

        var outcome = await ProcessAsync(evt, stored, isNew: false, fetched: null, refetchHere: true, force, ct);
        return outcome.Status ?? StripeEventStatuses.Failed;
    }

    /// <summary>A new row for a delivered event, received now (UTC), not yet applied.</summary>
    internal StripeEventRecord NewRecord(StripeEventEnvelope evt, string payload) => new()
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

    /// <summary>Marks the event's row as applied (now, UTC) with <paramref name="status"/>.</summary>
    /// <param name="record">The event's row.</param>
    /// <param name="status">What applying it came to.</param>
    /// <param name="reason">Why an <c>ignored</c> event was not applied (kept in <see cref="StripeEventRecord.LastError"/>), else null.</param>
    internal void Complete(StripeEventRecord record, string status, string? reason = null)
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
                await using var tx = await store.BeginWriteAsync(ct);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe event {EventId} ({Type}) failed on attempt {Attempts}")]
    private static partial void LogFailed(ILogger logger, string eventId, string type, int attempts, Exception error);
}
