using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Http;
using Monetization.IntegrationEvents.Usage;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.IngestUsageEvents;

/// <summary>
/// <c>POST /v1/usage/events</c>: accepts 1 to 1,000 usage events, all or nothing. <c>event_id</c> is the idempotency key
/// (a duplicate, in the batch or already stored, is counted and not stored again). Rollups are updated in the same
/// transaction, with raw prepared multi-row statements (docs/modules/usage.md, "Ingestion hot path"), and thresholds
/// crossed are published exactly once as <see cref="UsageThresholdCrossed"/>.
/// </summary>
public static class IngestUsageEvents
{
    /// <summary>Largest batch.</summary>
    public const int MaxBatch = 1_000;

    /// <summary>Body: <c>{events: [...]}</c>.</summary>
    internal sealed record Body(IReadOnlyList<EventBody?>? Events)
    {
        public Request ToRequest() => new(Events);
    }

    /// <summary>One event as sent.</summary>
    /// <param name="EventId">Idempotency key, 1..200 characters.</param>
    /// <param name="UserId">Who consumed, 1..200 characters.</param>
    /// <param name="Meter">A configured meter key.</param>
    /// <param name="Quantity">Whole number ≥ 0; required by sum and max meters (tokens may give <c>properties.input_tokens</c>/<c>output_tokens</c> instead); ignored by count meters.</param>
    /// <param name="Timestamp">When it happened (ISO 8601).</param>
    /// <param name="Properties">Free-form properties; the meter's dimensions (<c>model</c>, <c>plugin_id</c>, <c>endpoint</c>) are kept in the rollups.</param>
    internal sealed record EventBody(string? EventId, string? UserId, string? Meter, decimal? Quantity, DateTimeOffset? Timestamp, Dictionary<string, JsonElement>? Properties);

    /// <summary>The batch.</summary>
    internal sealed record Request(IReadOnlyList<EventBody?>? Events) : IRequest<Response>;

    /// <summary>Outcome: events newly stored and duplicates (already stored or repeated in the batch).</summary>
    /// <param name="Accepted">Events stored by this call.</param>
    /// <param name="Duplicates">Events whose <c>event_id</c> was already stored or repeated in the batch.</param>
    internal sealed record Response(int Accepted, int Duplicates);

    /// <summary>Checks every event in one pass (fast on 1,000 events); each failure names <c>events[i].field</c>.</summary>
    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator(UsageEventParser parser, TimeProvider clock)
        {
            RuleFor(r => r).Custom((request, context) =>
            {
                parser.Parse(request.Events, clock.GetUtcNow(), out var errors);
                foreach (var (field, message) in errors)
                {
                    context.AddFailure(field, message);
                }
            });
        }
    }

    internal sealed class Handler(UsageDbContext db, UsageEventParser parser, TimeProvider clock, PlanLimits planLimits, AlertedThresholds alerted, MeterCatalog meters)
        : IRequestHandler<Request, Response>
    {
        private const int InsertChunk = 128;
        private const int RollupChunk = 128;
        private static readonly ConcurrentDictionary<(string Kind, int Rows), string> SqlCache = new();

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

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var connection = db.Database.GetDbConnection();
            var dbTransaction = transaction.GetDbTransaction();

            // A period whose invoice run started takes no more events (the invoice must not change after it is made).
            var periods = unique.Select(e => e.Period).Distinct(StringComparer.Ordinal).ToList();
            var invoiced = await db.InvoiceRuns.AsNoTracking().Where(r => periods.Contains(r.Period)).Select(r => r.Period).ToListAsync(cancellationToken);
            if (invoiced.Count > 0)
            {
                var closed = parsed.Where(e => invoiced.Contains(e.Period))
                    .Select(e => ($"events[{e.Index}].timestamp", $"The event falls in period {e.Period}, which is already invoiced; late events are no longer accepted."))
                    .ToList();
                throw Invalid(closed);
            }

            var inserted = await InsertEventsAsync(connection, dbTransaction, unique, now, cancellationToken);
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
            }

            if (uniqueValues.Count > 0)
            {
                await InsertUniqueValuesAsync(connection, dbTransaction, uniqueValues, deltas, cancellationToken);
            }

            var totals = await UpsertRollupsAsync(connection, dbTransaction, deltas, now, cancellationToken);
            var newAlerts = await RaiseThresholdAlertsAsync(totals, now, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            foreach (var key in newAlerts)
            {
                alerted.Remember(key);
            }

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

        private static string SqlFor(string kind, int rows) => SqlCache.GetOrAdd((kind, rows), static k =>
        {
            var (columns, suffix) = k.Kind switch
            {
                "events" => (
                    "INSERT INTO UsageEvents (EventId, UserId, Meter, Quantity, Timestamp, Period, Properties, ReceivedAt) VALUES ",
                    " ON CONFLICT(EventId) DO NOTHING RETURNING EventId"),
                "unique" => (
                    "INSERT INTO UsageUniqueValues (UserId, Period, Meter, Dimensions, Value) VALUES ",
                    " ON CONFLICT(UserId, Period, Meter, Dimensions, Value) DO NOTHING RETURNING UserId, Period, Meter, Dimensions"),
                "add" => (
                    "INSERT INTO UsageRollups (UserId, Period, Meter, Dimensions, Used, InputTokens, OutputTokens, Events, UpdatedAt) VALUES ",
                    " ON CONFLICT(UserId, Period, Meter, Dimensions) DO UPDATE SET Used = Used + excluded.Used, InputTokens = InputTokens + excluded.InputTokens, "
                    + "OutputTokens = OutputTokens + excluded.OutputTokens, Events = Events + excluded.Events, UpdatedAt = excluded.UpdatedAt "
                    + "RETURNING UserId, Period, Meter, Dimensions, Used"),
                _ => (
                    "INSERT INTO UsageRollups (UserId, Period, Meter, Dimensions, Used, InputTokens, OutputTokens, Events, UpdatedAt) VALUES ",
                    " ON CONFLICT(UserId, Period, Meter, Dimensions) DO UPDATE SET Used = MAX(Used, excluded.Used), InputTokens = InputTokens + excluded.InputTokens, "
                    + "OutputTokens = OutputTokens + excluded.OutputTokens, Events = Events + excluded.Events, UpdatedAt = excluded.UpdatedAt "
                    + "RETURNING UserId, Period, Meter, Dimensions, Used"),
            };
            var width = k.Kind switch { "events" => 8, "unique" => 5, _ => 9 };
            var sql = new StringBuilder(columns);
            for (var row = 0; row < k.Rows; row++)
            {
                sql.Append(row == 0 ? "(" : ",(");
                for (var column = 0; column < width; column++)
                {
                    sql.Append(column == 0 ? "$p" : ",$p").Append((row * width + column).ToString(CultureInfo.InvariantCulture));
                }

                sql.Append(')');
            }

            return sql.Append(suffix).ToString();
        });

        private static DbCommand Command(DbConnection connection, DbTransaction transaction, string kind, int rows)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = SqlFor(kind, rows);
            var width = kind switch { "events" => 8, "unique" => 5, _ => 9 };
            for (var i = 0; i < rows * width; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "$p" + i.ToString(CultureInfo.InvariantCulture);
                command.Parameters.Add(parameter);
            }

            command.Prepare();
            return command;
        }

        /// <summary>Chunks of <paramref name="chunk"/> rows share one prepared command; the remainder gets its own.</summary>
        private static async Task ForEachChunkAsync<T>(
            DbConnection connection, DbTransaction transaction, string kind, int chunk, IReadOnlyList<T> rows,
            Action<DbParameterCollection, int, T> bind, Func<DbDataReader, Task> read, CancellationToken ct)
        {
            DbCommand? full = null;
            try
            {
                for (var start = 0; start < rows.Count; start += chunk)
                {
                    var count = Math.Min(chunk, rows.Count - start);
                    DbCommand command;
                    if (count == chunk)
                    {
                        command = full ??= Command(connection, transaction, kind, chunk);
                    }
                    else
                    {
                        command = Command(connection, transaction, kind, count);
                    }

                    try
                    {
                        for (var i = 0; i < count; i++)
                        {
                            bind(command.Parameters, i, rows[start + i]);
                        }

                        await using var reader = await command.ExecuteReaderAsync(ct);
                        while (await reader.ReadAsync(ct))
                        {
                            await read(reader);
                        }
                    }
                    finally
                    {
                        if (!ReferenceEquals(command, full))
                        {
                            await command.DisposeAsync();
                        }
                    }
                }
            }
            finally
            {
                if (full is not null)
                {
                    await full.DisposeAsync();
                }
            }
        }

        private static async Task<HashSet<string>> InsertEventsAsync(DbConnection connection, DbTransaction transaction, List<PreparedEvent> events, DateTimeOffset now, CancellationToken ct)
        {
            var inserted = new HashSet<string>(events.Count, StringComparer.Ordinal);
            var received = now.UtcTicks;
            await ForEachChunkAsync(connection, transaction, "events", InsertChunk, events, (p, row, e) =>
            {
                var o = row * 8;
                p[o].Value = e.EventId;
                p[o + 1].Value = e.UserId;
                p[o + 2].Value = e.Meter.Key;
                p[o + 3].Value = e.Quantity;
                p[o + 4].Value = e.TimestampTicks;
                p[o + 5].Value = e.Period;
                p[o + 6].Value = (object?)e.PropertiesJson ?? DBNull.Value;
                p[o + 7].Value = received;
            }, reader =>
            {
                inserted.Add(reader.GetString(0));
                return Task.CompletedTask;
            }, ct);
            return inserted;
        }

        private static async Task InsertUniqueValuesAsync(DbConnection connection, DbTransaction transaction, HashSet<(RollupKey Key, string Value)> values, Dictionary<RollupKey, RollupDelta> deltas, CancellationToken ct)
        {
            await ForEachChunkAsync(connection, transaction, "unique", InsertChunk, values.ToList(), (p, row, v) =>
            {
                var o = row * 5;
                p[o].Value = v.Key.UserId;
                p[o + 1].Value = v.Key.Period;
                p[o + 2].Value = v.Key.Meter;
                p[o + 3].Value = v.Key.Dimensions;
                p[o + 4].Value = v.Value;
            }, reader =>
            {
                deltas[new RollupKey(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3))].Used++;
                return Task.CompletedTask;
            }, ct);
        }

        private static async Task<List<(RollupKey Key, long Used)>> UpsertRollupsAsync(DbConnection connection, DbTransaction transaction, Dictionary<RollupKey, RollupDelta> deltas, DateTimeOffset now, CancellationToken ct)
        {
            var totals = new List<(RollupKey, long)>();
            var updated = now.UtcTicks;
            foreach (var group in deltas.GroupBy(d => d.Value.Aggregation == MeterAggregation.Max ? "max" : "add"))
            {
                await ForEachChunkAsync(connection, transaction, group.Key, RollupChunk, group.ToList(), (p, row, d) =>
                {
                    var o = row * 9;
                    p[o].Value = d.Key.UserId;
                    p[o + 1].Value = d.Key.Period;
                    p[o + 2].Value = d.Key.Meter;
                    p[o + 3].Value = d.Key.Dimensions;
                    p[o + 4].Value = d.Value.Used;
                    p[o + 5].Value = d.Value.Input;
                    p[o + 6].Value = d.Value.Output;
                    p[o + 7].Value = d.Value.Events;
                    p[o + 8].Value = updated;
                }, reader =>
                {
                    if (reader.GetString(3).Length == 0)
                    {
                        totals.Add((new RollupKey(reader.GetString(0), reader.GetString(1), reader.GetString(2), DimensionKey.Total), reader.GetInt64(4)));
                    }

                    return Task.CompletedTask;
                }, ct);
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

            var userIds = limited.Select(t => t.Key.UserId).Distinct(StringComparer.Ordinal).ToList();
            var accounts = await db.Accounts.AsNoTracking().Where(a => userIds.Contains(a.UserId)).ToDictionaryAsync(a => a.UserId, StringComparer.Ordinal, ct);
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
/// Checks and normalises usage events (issue: "POST /v1/usage/events"): ids, known meter, whole non-negative quantity,
/// timestamp neither in the future beyond <c>Usage:FutureSkewSeconds</c> nor in a period closed for more than
/// <c>Usage:LateDays</c>, dimension values as strings, and for meters priced by model a <c>model</c> and consistent
/// <c>input_tokens</c>/<c>output_tokens</c>.
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
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var at = "events[" + i.ToString(CultureInfo.InvariantCulture) + "]";
            if (e is null)
            {
                errors.Add((at, "An event object is required."));
                continue;
            }

            var before = errors.Count;
            CheckText(errors, at + ".event_id", e.EventId);
            CheckText(errors, at + ".user_id", e.UserId);
            Meter? meter = null;
            if (string.IsNullOrEmpty(e.Meter))
            {
                errors.Add((at + ".meter", "meter is required."));
            }
            else if (!meters.TryGet(e.Meter, out meter))
            {
                errors.Add((at + ".meter", $"Unknown meter '{e.Meter}'; configured meters: {string.Join(", ", meters.All.Select(m => m.Key))}."));
            }

            long? quantity = null;
            if (e.Quantity is { } q)
            {
                if (q < 0)
                {
                    errors.Add((at + ".quantity", "quantity must not be negative."));
                }
                else if (q != decimal.Truncate(q))
                {
                    errors.Add((at + ".quantity", "quantity must be a whole number."));
                }
                else if (q > MaxQuantity)
                {
                    errors.Add((at + ".quantity", "quantity is too large (at most 10^15)."));
                }
                else
                {
                    quantity = (long)q;
                }
            }

            var period = "";
            if (e.Timestamp is not { } timestamp)
            {
                errors.Add((at + ".timestamp", "timestamp is required (ISO 8601, UTC)."));
            }
            else if (timestamp > futureLimit)
            {
                errors.Add((at + ".timestamp", $"timestamp is in the future (more than {options.Value.FutureSkewSeconds} s ahead of the server clock)."));
            }
            else if (timestamp.UtcDateTime.Year < 2000)
            {
                errors.Add((at + ".timestamp", "timestamp is before 2000."));
            }
            else
            {
                var billingPeriod = BillingPeriod.Containing(timestamp);
                var closesAt = billingPeriod.End.AddDays(lateDays);
                if (now >= closesAt)
                {
                    errors.Add((at + ".timestamp", $"timestamp falls in period {billingPeriod}, closed to late events since {closesAt:yyyy-MM-ddTHH:mm:ssZ} (Usage:LateDays = {lateDays})."));
                }
                else
                {
                    period = billingPeriod.ToString();
                }
            }

            long input = 0, output = 0;
            string? uniqueValue = null;
            var dimensions = DimensionKey.Total;
            if (meter is not null)
            {
                pairs.Clear();
                foreach (var name in meter.Dimensions)
                {
                    if (e.Properties is not null && e.Properties.TryGetValue(name, out var value) && ReadText(errors, $"{at}.properties.{name}", value) is { Length: > 0 } text)
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
                        if (e.Properties is null || !e.Properties.TryGetValue(meter.UniqueProperty!, out var unique)
                            || ReadText(errors, $"{at}.properties.{meter.UniqueProperty}", unique) is not { Length: > 0 } uniqueText)
                        {
                            errors.Add(($"{at}.properties.{meter.UniqueProperty}", $"properties.{meter.UniqueProperty} is required by meter '{meter.Key}' (unique_count)."));
                        }
                        else
                        {
                            uniqueValue = uniqueText;
                        }

                        break;
                    default:
                        if (meter.PricedByModel)
                        {
                            if (!pairs.Exists(p => p.Key == "model"))
                            {
                                errors.Add(($"{at}.properties.model", $"properties.model is required by meter '{meter.Key}' (priced per model)."));
                            }

                            var hasInput = ReadTokens(errors, at, e.Properties, "input_tokens", out input);
                            var hasOutput = ReadTokens(errors, at, e.Properties, "output_tokens", out output);
                            if (hasInput || hasOutput)
                            {
                                if (quantity is { } given && given != input + output)
                                {
                                    errors.Add((at + ".quantity", $"quantity ({given}) must equal input_tokens + output_tokens ({input + output})."));
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
                            errors.Add((at + ".quantity", $"quantity is required by meter '{meter.Key}' ({meter.AggregationName})."));
                        }

                        break;
                }
            }

            if (errors.Count == before)
            {
                var json = e.Properties is { Count: > 0 } ? JsonSerializer.Serialize(e.Properties) : null;
                result.Add(new PreparedEvent(i, e.EventId!, e.UserId!, meter!, quantity!.Value, input, output, e.Timestamp!.Value.UtcTicks, period, dimensions, uniqueValue, json));
            }
        }

        return result;
    }

    private static void CheckText(List<(string, string)> errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add((field, $"{field[(field.LastIndexOf('.') + 1)..]} is required."));
        }
        else if (value.Length > MaxTextLength)
        {
            errors.Add((field, $"{field[(field.LastIndexOf('.') + 1)..]} is longer than {MaxTextLength} characters."));
        }
    }

    private static string? ReadText(List<(string, string)> errors, string field, JsonElement value)
    {
        string? text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.Null => null,
            _ => "\0",
        };
        if (text == "\0")
        {
            errors.Add((field, "must be a string or a number."));
            return null;
        }

        if (text is { Length: > MaxTextLength })
        {
            errors.Add((field, $"is longer than {MaxTextLength} characters."));
            return null;
        }

        return text;
    }

    private static bool ReadTokens(List<(string, string)> errors, string at, Dictionary<string, JsonElement>? properties, string name, out long tokens)
    {
        tokens = 0;
        if (properties is null || !properties.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out tokens) || tokens < 0)
        {
            errors.Add(($"{at}.properties.{name}", $"properties.{name} must be a whole number of tokens, not negative."));
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
