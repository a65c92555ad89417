using Monetization.BuildingBlocks.Data;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monetization.Stripe;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;

namespace Monetization.Subscriptions.Features.HandleStripeEvent;

/// <summary>What became of a delivered or retried Stripe event.</summary>
internal static class StripeEventOutcomes
{
    public const string Duplicate = "duplicate";
}

/// <summary>
/// Stores and processes Stripe events: a new event is stored (unique by id) and processed in one transaction, so a
/// redelivery finds it and changes nothing; a processing failure rolls the effects back and stores the event as
/// <c>failed</c> with its error and a next attempt (exponential backoff), for <see cref="Jobs.StripeEventRetryJob"/> or an
/// admin replay. A subscription tie is settled by re-fetching the subscription from Stripe outside the transaction.
/// </summary>
internal sealed partial class StripeEventPipeline(
    SubscriptionsDbContext db,
    StripeEventTranslator translator,
    IStripeClient stripe,
    TimeProvider clock,
    IOptions<SubscriptionsOptions> options,
    ILogger<StripeEventPipeline> logger)
{
    private static readonly JsonSerializerOptions EnvelopeJson = CreateEnvelopeJson();

    /// <summary>Parses a stored or received event body (the envelope; <c>data.object</c> stays raw JSON).</summary>
    /// <exception cref="JsonException">Not an event.</exception>
    public static StripeEvent Parse(ReadOnlySpan<byte> utf8)
    {
        var evt = JsonSerializer.Deserialize<StripeEvent>(utf8, EnvelopeJson) ?? throw new JsonException("The body is JSON null.");
        if (string.IsNullOrEmpty(evt.Id) || string.IsNullOrEmpty(evt.Type) || evt.Data.Object.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("A Stripe event needs id, type and data.object.");
        }

        return evt;
    }

    /// <summary>Stores a newly delivered event and processes it; returns <c>processed</c>, <c>ignored</c>, <c>failed</c> or <c>duplicate</c>.</summary>
    public async Task<string> ReceiveAsync(StripeEvent evt, string payload, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var record = new StripeEventRecord
        {
            Id = evt.Id,
            Type = evt.Type,
            Created = evt.Created,
            ObjectId = evt.Data.Object.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null,
            Account = evt.Account,
            Livemode = evt.Livemode,
            Payload = payload,
            ReceivedAt = now,
        };
        return await ProcessAsync(evt, record, isNew: true, ct);
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

        StripeEvent evt;
        try
        {
            evt = Parse(System.Text.Encoding.UTF8.GetBytes(stored.Payload));
        }
        catch (JsonException e)
        {
            await RecordFailureAsync(stored, isNew: false, e, ct);
            return StripeEventStatuses.Failed;
        }

        return await ProcessAsync(evt, stored, isNew: false, ct, force);
    }

    private async Task<string> ProcessAsync(StripeEvent evt, StripeEventRecord record, bool isNew, CancellationToken ct, bool force = false)
    {
        Subscription? refetched = null;
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
                        return StripeEventOutcomes.Duplicate;
                    }

                    db.StripeEvents.Add(record);
                }
                else
                {
                    var current = await db.StripeEvents.AsNoTracking().Where(e => e.Id == record.Id).Select(e => e.Status).FirstOrDefaultAsync(ct);
                    if (!force && current != StripeEventStatuses.Failed)
                    {
                        return current ?? StripeEventStatuses.Failed; // another instance got to it first
                    }

                    db.StripeEvents.Attach(record);
                }

                var status = await translator.ApplyAsync(evt, refetched, ct);
                record.Status = status;
                record.Attempts++;
                record.ProcessedAt = clock.GetUtcNow();
                record.LastError = null;
                record.NextAttemptAt = null;
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                return status;
            }
            catch (RefetchRequiredException tie) when (pass == 0)
            {
                try
                {
                    refetched = await stripe.Subscriptions.GetAsync(tie.SubscriptionId, cancellationToken: ct);
                }
                catch (StripeException e)
                {
                    failure = e;
                    break;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (isNew && e is DbUpdateException && await IsStoredAsync(record.Id, ct))
                {
                    return StripeEventOutcomes.Duplicate; // a concurrent delivery stored it first
                }

                failure = e;
                break;
            }
        }

        var stored = await RecordFailureAsync(record, isNew, failure ?? new InvalidOperationException("The event could not be applied after re-fetching its subscription."), ct);
        return stored ? StripeEventStatuses.Failed : StripeEventOutcomes.Duplicate;
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

    private static JsonSerializerOptions CreateEnvelopeJson()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        };
        o.Converters.Add(new UnixSecondsConverter());
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe event {EventId} ({Type}) failed on attempt {Attempts}")]
    private static partial void LogFailed(ILogger logger, string eventId, string type, int attempts, Exception error);

    /// <summary>Unix seconds (Stripe's timestamps) as UTC <see cref="DateTimeOffset"/>.</summary>
    private sealed class UnixSecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Number ? DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64()) : throw new JsonException("Expected unix seconds.");

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteNumberValue(value.ToUnixTimeSeconds());
    }
}
