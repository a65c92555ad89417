using Monetization.BuildingBlocks.Telemetry;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Data;
using Monetization.BuildingBlocks.Http;
using Monetization.IntegrationEvents.Usage;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.IngestUsageEvents;

/// <summary>
/// <c>POST /v1/usage/events</c>: accepts 1 to 1,000 usage events, all or nothing (a 422 lists every bad
/// <c>events[i].field</c>; the handler validates in the same single pass that parses, rather than a FluentValidation
/// validator parsing the batch a second time). <c>event_id</c> is the idempotency key
/// (a duplicate, in the batch or already stored, is counted and not stored again). Rollups are updated in the same
/// transaction, with prepared single-row statements bound by position (docs/modules/usage.md, "Ingestion hot path"), and thresholds
/// crossed are published exactly once as <see cref="UsageThresholdCrossed"/>.
/// </summary>
public static class IngestUsageEvents
{
    /// <summary>Largest batch.</summary>
    public const int MaxBatch = 1_000;

    /// <summary>Body: <c>{events: [...]}</c>.</summary>
    internal sealed record Body(IReadOnlyList<EventBody?>? Events)
    {
        // Hand-written on the ingestion hot path: the batch's list is handed over as it is (Mapster copies collections).
        public Request ToRequest() => new(Events);
    }

    /// <summary>One event as sent.</summary>
    /// <param name="EventId">Idempotency key, 1..200 characters.</param>
    /// <param name="UserId">Who consumed, 1..200 characters.</param>
    /// <param name="Meter">A configured meter key.</param>
    /// <param name="Quantity">Whole number ≥ 0; required by sum and max meters (tokens may give <c>properties.input_tokens</c>/<c>output_tokens</c> instead); ignored by count meters.</param>
    /// <param name="Timestamp">When it happened (ISO 8601).</param>
    /// <param name="Properties">A free-form object, stored as sent; the meter's dimensions (<c>model</c>, <c>plugin_id</c>, <c>endpoint</c>) are kept in the rollups.</param>
    internal sealed record EventBody(string? EventId, string? UserId, string? Meter, decimal? Quantity, DateTimeOffset? Timestamp, JsonElement? Properties);

    /// <summary>The batch.</summary>
    internal sealed record Request(IReadOnlyList<EventBody?>? Events) : IRequest<Response>;

    /// <summary>Outcome: events newly stored and duplicates (already stored or repeated in the batch).</summary>
    /// <param name="Accepted">Events stored by this call.</param>
    /// <param name="Duplicates">Events whose <c>event_id</c> was already stored or repeated in the batch.</param>
    internal sealed record Response(int Accepted, int Duplicates);

    internal sealed class Handler(UsageDbContext db, UsageEventParser parser, TimeProvider clock, PlanLimits planLimits, AlertedThresholds alerted, MeterCatalog meters, AccountCache accountCache)
        : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var parsed = parser.Parse(request.Events, now, out var errors);
            if (errors.Count > 0)
            {
                throw Invalid(errors);
            }

            var unique = new List<PreparedEvent>(parsed.Count);
            var seen = new HashSet<string>(parsed.Count, StringComparer.Ordinal);
            foreach (var e in parsed)
            {
                if (seen.Add(e.EventId))
                {
                    unique.Add(e);
                }
            }

            // One writer at a time on the Usage database in this process (ingestion, the outbox dispatcher, consumers):
            // SQLite serializes writers anyway, and queueing here costs nothing, whereas a writer finding the lock taken
            // waits in SQLite's busy handler.
            using (await SqliteWriteGate.EnterAsync(db, cancellationToken))
            {
                return await WriteAsync(parsed, unique, now, cancellationToken);
            }
        }

        private async Task<Response> WriteAsync(List<PreparedEvent> parsed, List<PreparedEvent> unique, DateTimeOffset now, CancellationToken cancellationToken)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            var connection = db.Database.GetDbConnection();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

            // A period whose invoice run started takes no more events (the invoice must not change after it is made).
            // (Read with a prepared statement per distinct period, usually one: an EF query here cost more than the check.)
            var invoiced = InvoicedPeriods(connection, unique);
            if (invoiced.Count > 0)
            {
                var closed = parsed.Where(e => invoiced.Contains(e.Period))
                    .Select(e => ($"events[{e.Index}].timestamp", $"The event falls in period {e.Period}, which is already invoiced; late events are no longer accepted."))
                    .ToList();
                throw Invalid(closed);
            }

            var inserted = InsertEvents(connection, unique, now, cancellationToken);
            var deltas = new Dictionary<RollupKey, RollupDelta>();
            var uniqueValues = new HashSet<(RollupKey Key, string Value)>();
            foreach (var e in unique)
            {
                if (!inserted.Contains(e.EventId))
                {
                    continue;
                }

                Accumulate(deltas, uniqueValues, new RollupKey(e.UserId, e.Period, e.Meter.Key, DimensionKey.Total), e);
                if (e.Dimensions.Length > 0)
                {
                    Accumulate(deltas, uniqueValues, new RollupKey(e.UserId, e.Period, e.Meter.Key, e.Dimensions), e);
                }

                // The day's total (period YYYY-MM-DD), for the usage summary by day (issue 20); never a limit's total.
                Accumulate(deltas, uniqueValues, new RollupKey(e.UserId, UsageDay.Of(e.TimestampTicks), e.Meter.Key, DimensionKey.Total), e);
            }

            if (uniqueValues.Count > 0)
            {
                InsertUniqueValues(connection, uniqueValues, deltas, cancellationToken);
            }

            var totals = UpsertRollups(connection, deltas, now, cancellationToken);
            var newAlerts = await RaiseThresholdAlertsAsync(totals, now, cancellationToken);
            if (newAlerts.Count > 0)
            {
                await db.SaveChangesAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            foreach (var key in newAlerts)
            {
                alerted.Remember(key);
            }

            MonetizationTelemetry.UsageEventsIngested.Add(inserted.Count);
            return new Response(inserted.Count, parsed.Count - inserted.Count);
        }

        private static ProblemException Invalid(IReadOnlyList<(string Field, string Message)> errors) =>
            new(422, "Validation failed", $"Invalid fields: {string.Join(", ", errors.Select(e => e.Field).Distinct().Take(20))}.", "validation_failed",
                errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal));

        private static void Accumulate(Dictionary<RollupKey, RollupDelta> deltas, HashSet<(RollupKey, string)> uniqueValues, RollupKey key, PreparedEvent e)
        {
            if (!deltas.TryGetValue(key, out var delta))
            {
                delta = new RollupDelta(e.Meter.Aggregation);
                deltas[key] = delta;
            }

            delta.Events++;
            delta.Input += e.InputTokens;
            delta.Output += e.OutputTokens;
            switch (e.Meter.Aggregation)
            {
                case MeterAggregation.Count:
                    delta.Used++;
                    break;
                case MeterAggregation.Sum:
                    delta.Used += e.Quantity;
                    break;
                case MeterAggregation.Max:
                    delta.Used = Math.Max(delta.Used, e.Quantity);
                    break;
                case MeterAggregation.UniqueCount:
                    uniqueValues.Add((key, e.UniqueValue!));
                    break;
            }
        }

        private const string InsertEventSql =
            "INSERT INTO UsageEvents (EventId, UserId, Meter, Quantity, Timestamp, Period, Properties, ReceivedAt) "
            + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(EventId) DO NOTHING";

        private const string InsertUniqueSql =
            "INSERT INTO UsageUniqueValues (UserId, Period, Meter, Dimensions, Value) VALUES (?1, ?2, ?3, ?4, ?5) "
            + "ON CONFLICT(UserId, Period, Meter, Dimensions, Value) DO NOTHING";

        private const string UpsertRollupSql =
            "INSERT INTO UsageRollups (UserId, Period, Meter, Dimensions, Used, InputTokens, OutputTokens, Events, UpdatedAt) "
            + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
            + "ON CONFLICT(UserId, Period, Meter, Dimensions) DO UPDATE SET Used = {0}, InputTokens = InputTokens + excluded.InputTokens, "
            + "OutputTokens = OutputTokens + excluded.OutputTokens, Events = Events + excluded.Events, UpdatedAt = excluded.UpdatedAt{1}";

        /// <summary>The periods of the batch whose usage invoice run has started (<c>UsageInvoiceRuns</c> has a row).</summary>
        private static HashSet<string> InvoicedPeriods(DbConnection connection, List<PreparedEvent> events)
        {
            var invoiced = new HashSet<string>(StringComparer.Ordinal);
            var checkedPeriods = new HashSet<string>(StringComparer.Ordinal);
            using var statement = SqliteStatement.Prepare(connection, "SELECT 1 FROM UsageInvoiceRuns WHERE Period = ?1");
            foreach (var e in events)
            {
                if (checkedPeriods.Add(e.Period))
                {
                    statement.Bind(1, e.Period);
                    if (statement.ExecuteScalarInt64() is not null)
                    {
                        invoiced.Add(e.Period);
                    }
                }
            }

            return invoiced;
        }

        /// <summary>Inserts the events (one prepared statement, executed per row); a row not inserted is a stored duplicate (0 changes).</summary>
        private static HashSet<string> InsertEvents(DbConnection connection, List<PreparedEvent> events, DateTimeOffset now, CancellationToken ct)
        {
            var inserted = new HashSet<string>(events.Count, StringComparer.Ordinal);
            using var statement = SqliteStatement.Prepare(connection, InsertEventSql);
            statement.Bind(8, now.UtcTicks);
            foreach (var e in events)
            {
                ct.ThrowIfCancellationRequested();
                statement.Bind(1, e.EventId);
                statement.Bind(2, e.UserId);
                statement.Bind(3, e.Meter.Key);
                statement.Bind(4, e.Quantity);
                statement.Bind(5, e.TimestampTicks);
                statement.Bind(6, e.Period);
                statement.Bind(7, e.PropertiesJson);
                if (statement.Execute() == 1)
                {
                    inserted.Add(e.EventId);
                }
            }

            return inserted;
        }

        private static void InsertUniqueValues(DbConnection connection, HashSet<(RollupKey Key, string Value)> values, Dictionary<RollupKey, RollupDelta> deltas, CancellationToken ct)
        {
            using var statement = SqliteStatement.Prepare(connection, InsertUniqueSql);
            foreach (var (key, value) in values)
            {
                ct.ThrowIfCancellationRequested();
                statement.Bind(1, key.UserId);
                statement.Bind(2, key.Period);
                statement.Bind(3, key.Meter);
                statement.Bind(4, key.Dimensions);
                statement.Bind(5, value);
                if (statement.Execute() == 1)
                {
                    deltas[key].Used++;
                }
            }
        }

        /// <summary>Adds the batch's deltas to the rollup rows (<c>ON CONFLICT DO UPDATE</c>); returns the new totals of the meters' total rows.</summary>
        private static List<(RollupKey Key, long Used)> UpsertRollups(DbConnection connection, Dictionary<RollupKey, RollupDelta> deltas, DateTimeOffset now, CancellationToken ct)
        {
            var totals = new List<(RollupKey, long)>();

            // [max?, total?]: totals return the new value (RETURNING) for the threshold check; dimension rows do not.
            var statements = new SqliteStatement?[2, 2];
            try
            {
                foreach (var (key, delta) in deltas)
                {
                    ct.ThrowIfCancellationRequested();
                    var isMax = delta.Aggregation == MeterAggregation.Max ? 1 : 0;
                    var isTotal = key.Dimensions.Length == 0 && !UsageDay.IsDay(key.Period) ? 1 : 0;
                    var statement = statements[isMax, isTotal] ??= SqliteStatement.Prepare(
                        connection,
                        string.Format(CultureInfo.InvariantCulture, UpsertRollupSql, isMax == 1 ? "MAX(Used, excluded.Used)" : "Used + excluded.Used", isTotal == 1 ? " RETURNING Used" : ""));
                    statement.Bind(1, key.UserId);
                    statement.Bind(2, key.Period);
                    statement.Bind(3, key.Meter);
                    statement.Bind(4, key.Dimensions);
                    statement.Bind(5, delta.Used);
                    statement.Bind(6, delta.Input);
                    statement.Bind(7, delta.Output);
                    statement.Bind(8, delta.Events);
                    statement.Bind(9, now.UtcTicks);
                    if (isTotal == 1)
                    {
                        totals.Add((key, statement.ExecuteScalarInt64() ?? throw new InvalidOperationException("The rollup upsert returned no row.")));
                    }
                    else
                    {
                        statement.Execute();
                    }
                }
            }
            finally
            {
                foreach (var statement in statements)
                {
                    statement?.Dispose();
                }
            }

            return totals;
        }

        /// <summary>Adds an alert row and a <see cref="UsageThresholdCrossed"/> for each threshold newly reached (once per user, meter, period, threshold).</summary>
        private async Task<List<AlertKey>> RaiseThresholdAlertsAsync(List<(RollupKey Key, long Used)> totals, DateTimeOffset now, CancellationToken ct)
        {
            var limited = totals.Where(t => meters.TryGet(t.Key.Meter, out var m) && m.Entitlement is not null).ToList();
            var raised = new List<AlertKey>();
            if (limited.Count == 0)
            {
                return raised;
            }

            var accounts = new Dictionary<string, UsageAccount?>(StringComparer.Ordinal);
            var missing = new List<string>();
            foreach (var (key, _) in limited)
            {
                if (!accounts.ContainsKey(key.UserId))
                {
                    if (accountCache.TryGet(key.UserId, out var cached))
                    {
                        accounts[key.UserId] = cached;
                    }
                    else
                    {
                        accounts[key.UserId] = null;
                        missing.Add(key.UserId);
                    }
                }
            }

            if (missing.Count > 0)
            {
                var loaded = await db.Accounts.AsNoTracking().Where(a => missing.Contains(a.UserId)).ToDictionaryAsync(a => a.UserId, StringComparer.Ordinal, ct);
                foreach (var userId in missing)
                {
                    var account = loaded.GetValueOrDefault(userId);
                    accounts[userId] = account;
                    accountCache.Set(userId, account);
                }
            }
            var candidates = new List<(AlertKey Key, long Used, long Limit)>();
            foreach (var (key, used) in limited)
            {
                meters.TryGet(key.Meter, out var meter);
                var limit = planLimits.For(accounts.GetValueOrDefault(key.UserId)).Of(meter!.Entitlement);
                foreach (var threshold in Thresholds.All)
                {
                    var alertKey = new AlertKey(key.UserId, key.Meter, key.Period, threshold);
                    if (Thresholds.IsAtOrAbove(used, limit, threshold) && !alerted.IsKnown(alertKey))
                    {
                        candidates.Add((alertKey, used, limit!.Value));
                    }
                }
            }

            if (candidates.Count == 0)
            {
                return raised;
            }

            var candidateUsers = candidates.Select(c => c.Key.UserId).Distinct(StringComparer.Ordinal).ToList();
            var existing = (await db.ThresholdAlerts.AsNoTracking()
                    .Where(a => candidateUsers.Contains(a.UserId))
                    .Select(a => new { a.UserId, a.Meter, a.Period, a.Threshold })
                    .ToListAsync(ct))
                .Select(a => new AlertKey(a.UserId, a.Meter, a.Period, a.Threshold))
                .ToHashSet();
            foreach (var (key, used, limit) in candidates)
            {
                if (!existing.Add(key))
                {
                    alerted.Remember(key);
                    continue;
                }

                db.ThresholdAlerts.Add(new ThresholdAlert
                {
                    UserId = key.UserId,
                    Meter = key.Meter,
                    Period = key.Period,
                    Threshold = key.Threshold,
                    Used = used,
                    Limit = limit,
                    CrossedAt = now,
                });
                db.AddIntegrationEvent(new UsageThresholdCrossed(Guid.NewGuid(), now, key.UserId, key.Meter, key.Period, key.Threshold, used, limit, Resolved: false));
                raised.Add(key);
            }

            return raised;
        }
    }

    private readonly record struct RollupKey(string UserId, string Period, string Meter, string Dimensions);

    private sealed class RollupDelta(MeterAggregation aggregation)
    {
        public MeterAggregation Aggregation { get; } = aggregation;

        public long Used { get; set; }

        public long Input { get; set; }

        public long Output { get; set; }

        public long Events { get; set; }
    }
}

/// <summary>
/// Reads the body of <c>POST /v1/usage/events</c> into <see cref="IngestUsageEvents.Body"/> in one pass of
/// <see cref="Utf8JsonReader"/> over the buffered bytes, with the serializer's rules for that shape: snake_case names,
/// case-sensitive, strict JSON types (strings or null for ids, a number or null for <c>quantity</c>, an ISO 8601 string
/// or null for <c>timestamp</c>, any value for <c>properties</c>), unknown members skipped, the last of a repeated member
/// kept. Why not the serializer: its resumable streaming read of a 1,000-event batch into positional records took 16 % of
/// the Host's CPU on this route (docs/performance.md).
/// </summary>
internal static class UsageBatchJson
{
    /// <summary>Parses a whole body; null for a JSON <c>null</c> body.</summary>
    /// <exception cref="JsonException">Not JSON, or a member of the wrong JSON type (its path in <see cref="JsonException.Path"/>).</exception>
    public static IngestUsageEvents.Body? Parse(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 64 });
        var path = new Path();
        try
        {
            if (!reader.Read())
            {
                throw new JsonException("The body has no JSON value.");
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            Expect(ref reader, JsonTokenType.StartObject, "an object");
            List<IngestUsageEvents.EventBody?>? events = null;
            while (NextMember(ref reader))
            {
                if (reader.ValueTextEquals("events"u8))
                {
                    path.Member = "events";
                    reader.Read();
                    events = ReadEvents(ref reader, path);
                    path.Member = null;
                }
                else
                {
                    reader.Skip();
                }
            }

            if (reader.Read())
            {
                throw new JsonException("Only one JSON value is allowed in the body.");
            }

            return new IngestUsageEvents.Body(events);
        }
        catch (JsonException e) when (e.Path is null && path.Member is not null)
        {
            throw new JsonException(e.Message, path.ToString(), e.LineNumber, e.BytePositionInLine, e);
        }
    }

    private static List<IngestUsageEvents.EventBody?>? ReadEvents(ref Utf8JsonReader reader, Path path)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(ref reader, JsonTokenType.StartArray, "an array");
        var events = new List<IngestUsageEvents.EventBody?>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            path.Index = events.Count;
            if (reader.TokenType == JsonTokenType.Null)
            {
                events.Add(null);
                continue;
            }

            Expect(ref reader, JsonTokenType.StartObject, "an object or null");
            events.Add(ReadEvent(ref reader, path));
        }

        path.Index = null;
        return events;
    }

    private static IngestUsageEvents.EventBody ReadEvent(ref Utf8JsonReader reader, Path path)
    {
        string? eventId = null, userId = null, meter = null;
        decimal? quantity = null;
        DateTimeOffset? timestamp = null;
        JsonElement? properties = null;
        while (NextMember(ref reader))
        {
            if (reader.ValueTextEquals("event_id"u8))
            {
                eventId = ReadString(ref reader, path, "event_id");
            }
            else if (reader.ValueTextEquals("user_id"u8))
            {
                userId = ReadString(ref reader, path, "user_id");
            }
            else if (reader.ValueTextEquals("meter"u8))
            {
                meter = ReadString(ref reader, path, "meter");
            }
            else if (reader.ValueTextEquals("quantity"u8))
            {
                path.Field = "quantity";
                reader.Read();
                quantity = reader.TokenType switch
                {
                    JsonTokenType.Null => null,
                    JsonTokenType.Number when reader.TryGetDecimal(out var value) => value,
                    JsonTokenType.Number => throw new JsonException("The number is out of range."),
                    _ => throw new JsonException($"Expected a number or null, found {reader.TokenType}."),
                };
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                path.Field = "timestamp";
                reader.Read();
                timestamp = reader.TokenType switch
                {
                    JsonTokenType.Null => null,
                    JsonTokenType.String when reader.TryGetDateTimeOffset(out var value) => value,
                    JsonTokenType.String => throw new JsonException("The JSON value is not in a supported DateTimeOffset format (ISO 8601)."),
                    _ => throw new JsonException($"Expected an ISO 8601 string or null, found {reader.TokenType}."),
                };
            }
            else if (reader.ValueTextEquals("properties"u8))
            {
                path.Field = "properties";
                reader.Read();
                properties = reader.TokenType == JsonTokenType.Null ? null : JsonElement.ParseValue(ref reader);
            }
            else
            {
                reader.Skip();
            }

            path.Field = null;
        }

        return new IngestUsageEvents.EventBody(eventId, userId, meter, quantity, timestamp, properties);
    }

    private static string? ReadString(ref Utf8JsonReader reader, Path path, string field)
    {
        path.Field = field;
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => reader.GetString(),
            _ => throw new JsonException($"Expected a string or null, found {reader.TokenType}."),
        };
    }

    /// <summary>Moves to the next member of the current object (true, on its name) or past its end (false).</summary>
    private static bool NextMember(ref Utf8JsonReader reader) => reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        if (reader.TokenType != type)
        {
            throw new JsonException($"Expected {what}, found {reader.TokenType}.");
        }
    }

    /// <summary>Where the reader is, for error messages (<c>$.events[3].quantity</c>).</summary>
    private sealed class Path
    {
        public string? Member { get; set; }

        public int? Index { get; set; }

        public string? Field { get; set; }

        public override string ToString() =>
            "$." + Member + (Index is { } i ? string.Create(CultureInfo.InvariantCulture, $"[{i}]") : "") + (Field is null ? "" : "." + Field);
    }
}

/// <summary>An event checked and normalised for storage.</summary>
/// <param name="Index">Position in the batch.</param>
/// <param name="EventId">Idempotency key.</param>
/// <param name="UserId">User.</param>
/// <param name="Meter">Its meter.</param>
/// <param name="Quantity">Quantity (1 for count meters without one).</param>
/// <param name="InputTokens">Input tokens (meters priced by model).</param>
/// <param name="OutputTokens">Output tokens (meters priced by model).</param>
/// <param name="TimestampTicks">UTC ticks.</param>
/// <param name="Period">Period <c>YYYY-MM</c>.</param>
/// <param name="Dimensions">Encoded dimension values ("" when none).</param>
/// <param name="UniqueValue">The counted value of a unique_count meter.</param>
/// <param name="PropertiesJson">Properties as JSON, or null.</param>
internal sealed record PreparedEvent(int Index, string EventId, string UserId, Meter Meter, long Quantity, long InputTokens, long OutputTokens, long TimestampTicks, string Period, string Dimensions, string? UniqueValue, string? PropertiesJson);

/// <summary>
/// Checks and normalises usage events in one pass (issue: "POST /v1/usage/events"): ids, known meter, whole
/// non-negative quantity, timestamp neither in the future beyond <c>Usage:FutureSkewSeconds</c> nor in a period closed
/// for more than <c>Usage:LateDays</c>, dimension values as strings or numbers, and for meters priced by model a
/// <c>model</c> and consistent <c>input_tokens</c>/<c>output_tokens</c>. Field names are only built for failures, so a
/// valid batch of 1,000 events allocates little beyond its results.
/// </summary>
internal sealed class UsageEventParser(MeterCatalog meters, IOptions<UsageOptions> options)
{
    /// <summary>Longest id or dimension value.</summary>
    public const int MaxTextLength = TextLimits.MaxId;

    private const decimal MaxQuantity = 1_000_000_000_000_000m;

    /// <summary>Parses the batch; <paramref name="errors"/> lists each bad <c>events[i].field</c> (then the result is incomplete).</summary>
    public List<PreparedEvent> Parse(IReadOnlyList<IngestUsageEvents.EventBody?>? events, DateTimeOffset now, out List<(string Field, string Message)> errors)
    {
        errors = [];
        var result = new List<PreparedEvent>(events?.Count ?? 0);
        if (events is null)
        {
            errors.Add(("events", "events is required: an array of 1 to 1,000 usage events."));
            return result;
        }

        if (events.Count is 0 or > IngestUsageEvents.MaxBatch)
        {
            errors.Add(("events", $"A batch has 1 to {IngestUsageEvents.MaxBatch:N0} events; this one has {events.Count:N0}."));
            return result;
        }

        var lateDays = options.Value.LateDays;
        var futureLimit = now.AddSeconds(options.Value.FutureSkewSeconds);
        var pairs = new List<KeyValuePair<string, string>>(4);
        (int Year, int Month, string Text, bool Closed, DateTimeOffset ClosesAt) lastPeriod = (0, 0, "", false, default);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e is null)
            {
                errors.Add((Field(i, null), "An event object is required."));
                continue;
            }

            var before = errors.Count;
            CheckText(errors, i, "event_id", e.EventId);
            if (!UserIds.IsValid(e.UserId))
            {
                errors.Add((Field(i, "user_id"), string.IsNullOrEmpty(e.UserId) ? "user_id is required." : "user_id " + UserIds.Rule + "."));
            }
            Meter? meter = null;
            if (string.IsNullOrEmpty(e.Meter))
            {
                errors.Add((Field(i, "meter"), "meter is required."));
            }
            else if (!meters.TryGet(e.Meter, out meter))
            {
                errors.Add((Field(i, "meter"), $"Unknown meter '{e.Meter}'; configured meters: {string.Join(", ", meters.All.Select(m => m.Key))}."));
            }

            long? quantity = null;
            if (e.Quantity is { } q)
            {
                if (q < 0)
                {
                    errors.Add((Field(i, "quantity"), "quantity must not be negative."));
                }
                else if (q != decimal.Truncate(q))
                {
                    errors.Add((Field(i, "quantity"), "quantity must be a whole number."));
                }
                else if (q > MaxQuantity)
                {
                    errors.Add((Field(i, "quantity"), "quantity is too large (at most 10^15)."));
                }
                else
                {
                    quantity = (long)q;
                }
            }

            var period = "";
            if (e.Timestamp is not { } timestamp)
            {
                errors.Add((Field(i, "timestamp"), "timestamp is required (ISO 8601, UTC)."));
            }
            else if (timestamp > futureLimit)
            {
                errors.Add((Field(i, "timestamp"), $"timestamp is in the future (more than {options.Value.FutureSkewSeconds} s ahead of the server clock)."));
            }
            else
            {
                var utc = timestamp.UtcDateTime;
                if (utc.Year != lastPeriod.Year || utc.Month != lastPeriod.Month)
                {
                    var billingPeriod = BillingPeriod.Containing(timestamp);
                    var closesAt = billingPeriod.End.AddDays(lateDays);
                    lastPeriod = (utc.Year, utc.Month, billingPeriod.ToString(), utc.Year < 2000 || now >= closesAt, closesAt);
                }

                if (utc.Year < 2000)
                {
                    errors.Add((Field(i, "timestamp"), "timestamp is before 2000."));
                }
                else if (lastPeriod.Closed)
                {
                    errors.Add((Field(i, "timestamp"), $"timestamp falls in period {lastPeriod.Text}, closed to late events since {lastPeriod.ClosesAt:yyyy-MM-ddTHH:mm:ssZ} (Usage:LateDays = {lateDays})."));
                }
                else
                {
                    period = lastPeriod.Text;
                }
            }

            var properties = e.Properties;
            if (properties is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined) })
            {
                errors.Add((Field(i, "properties"), "properties must be an object."));
                properties = null;
            }
            else if (properties is { ValueKind: JsonValueKind.Null })
            {
                properties = null;
            }

            long input = 0, output = 0;
            string? uniqueValue = null;
            var dimensions = DimensionKey.Total;
            if (meter is not null)
            {
                pairs.Clear();
                foreach (var name in meter.Dimensions)
                {
                    if (properties is { } props && props.TryGetProperty(name, out var value) && ReadText(errors, i, name, value) is { Length: > 0 } text)
                    {
                        pairs.Add(new KeyValuePair<string, string>(name, text));
                    }
                }

                dimensions = DimensionKey.Encode(pairs);
                switch (meter.Aggregation)
                {
                    case MeterAggregation.Count:
                        quantity ??= 1;
                        break;
                    case MeterAggregation.UniqueCount:
                        quantity ??= 1;
                        var uniqueName = meter.UniqueProperty!;
                        if (properties is not { } p || !p.TryGetProperty(uniqueName, out var unique) || ReadText(errors, i, uniqueName, unique) is not { Length: > 0 } uniqueText)
                        {
                            errors.Add((Field(i, "properties." + uniqueName), $"properties.{uniqueName} is required by meter '{meter.Key}' (unique_count)."));
                        }
                        else
                        {
                            uniqueValue = uniqueText;
                        }

                        break;
                    default:
                        if (meter.PricedByModel)
                        {
                            if (!pairs.Exists(pair => pair.Key == "model"))
                            {
                                errors.Add((Field(i, "properties.model"), $"properties.model is required by meter '{meter.Key}' (priced per model)."));
                            }

                            var hasInput = ReadTokens(errors, i, properties, "input_tokens", out input);
                            var hasOutput = ReadTokens(errors, i, properties, "output_tokens", out output);
                            if (hasInput || hasOutput)
                            {
                                if (quantity is { } given && given != input + output)
                                {
                                    errors.Add((Field(i, "quantity"), $"quantity ({given}) must equal input_tokens + output_tokens ({input + output})."));
                                }

                                quantity = input + output;
                            }
                            else if (quantity is { } all)
                            {
                                input = all;
                            }
                        }

                        if (quantity is null && errors.Count == before)
                        {
                            errors.Add((Field(i, "quantity"), $"quantity is required by meter '{meter.Key}' ({meter.AggregationName})."));
                        }

                        break;
                }
            }

            if (errors.Count == before)
            {
                var json = properties is { } raw && raw.EnumerateObject().Any() ? raw.GetRawText() : null;
                result.Add(new PreparedEvent(i, e.EventId!, e.UserId!, meter!, quantity!.Value, input, output, e.Timestamp!.Value.UtcTicks, period, dimensions, uniqueValue, json));
            }
        }

        return result;
    }

    private static string Field(int index, string? name) =>
        name is null
            ? string.Create(CultureInfo.InvariantCulture, $"events[{index}]")
            : string.Create(CultureInfo.InvariantCulture, $"events[{index}].{name}");

    private static void CheckText(List<(string, string)> errors, int index, string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add((Field(index, name), $"{name} is required."));
        }
        else if (value.Length > MaxTextLength)
        {
            errors.Add((Field(index, name), $"{name} is longer than {MaxTextLength} characters."));
        }
    }

    private static string? ReadText(List<(string, string)> errors, int index, string property, JsonElement value)
    {
        string? text;
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                text = value.GetString();
                break;
            case JsonValueKind.Number:
                text = value.GetRawText();
                break;
            case JsonValueKind.Null:
                return null;
            default:
                errors.Add((Field(index, "properties." + property), "must be a string or a number."));
                return null;
        }

        if (text is { Length: > MaxTextLength })
        {
            errors.Add((Field(index, "properties." + property), $"is longer than {MaxTextLength} characters."));
            return null;
        }

        return text;
    }

    private static bool ReadTokens(List<(string, string)> errors, int index, JsonElement? properties, string name, out long tokens)
    {
        tokens = 0;
        if (properties is not { } p || !p.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out tokens) || tokens < 0)
        {
            errors.Add((Field(index, "properties." + name), $"properties.{name} must be a whole number of tokens, not negative."));
            tokens = 0;
        }

        return true;
    }
}

/// <summary>A threshold alert's identity.</summary>
/// <param name="UserId">User.</param>
/// <param name="Meter">Meter.</param>
/// <param name="Period">Period.</param>
/// <param name="Threshold">80 or 100.</param>
internal readonly record struct AlertKey(string UserId, string Meter, string Period, int Threshold);

/// <summary>
/// Process-wide memory of alerts known to exist, so ingestion does not query the alert table for users already over a
/// threshold. Only a shortcut: the table (primary key) stays the source of truth; bounded, cleared when full.
/// </summary>
internal sealed class AlertedThresholds
{
    private const int Capacity = 200_000;
    private readonly ConcurrentDictionary<AlertKey, byte> _known = new();

    /// <summary>True when the alert is known to exist.</summary>
    public bool IsKnown(AlertKey key) => _known.ContainsKey(key);

    /// <summary>Remembers an alert that exists (committed).</summary>
    public void Remember(AlertKey key)
    {
        if (_known.Count >= Capacity)
        {
            _known.Clear();
        }

        _known.TryAdd(key, 0);
    }
}
