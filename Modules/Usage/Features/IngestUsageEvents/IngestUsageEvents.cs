using Monetization.BuildingBlocks.Telemetry;
using System.Globalization;
using System.Text.Json;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Http;
using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Usage;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.IngestUsageEvents;

/// <summary>
/// <c>POST /v1/usage/events</c>: accepts 1 to 1,000 usage events, all or nothing (a 422 lists every bad
/// <c>events[i].field</c>; the handler validates in the same single pass that parses, rather than a FluentValidation
/// validator parsing the batch a second time). <c>event_id</c> is the idempotency key
/// (a duplicate, in the batch or already stored, is counted and not stored again). The events and the rollup rows they
/// change (<see cref="RollupChanges"/>) are written in one transaction by <see cref="UsageEventStore"/>, and thresholds
/// crossed are published exactly once as <see cref="UsageThresholdCrossed"/>. The body is read by <see cref="UsageBatchJson"/>.
/// </summary>
internal static class IngestUsageEvents
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

    internal sealed class Handler(
        UsageDbContext db, UsageEventStore store, UsageEventParser parser, TimeProvider clock, PlanLimits planLimits, AlertedThresholds alerted, MeterCatalog meters, AccountCache accountCache)
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

            var unique = new List<CheckedUsageEvent>(parsed.Count);
            var seen = new HashSet<string>(parsed.Count, StringComparer.Ordinal);
            foreach (var e in parsed)
            {
                if (seen.Add(e.EventId))
                {
                    unique.Add(e);
                }
            }

            // Worked out (and put in key order) before the write gate, which batches wait for one at a time: the rollup rows
            // every event changes. Under the gate the stored duplicates are taken back out.
            var changes = RollupChanges.Rent(unique);
            try
            {
                // Also before the gate: the plan of every user whose events count against a limit, for the threshold check.
                var accounts = await AccountsOfAsync(unique, cancellationToken);
                return await StoreAsync(parsed, unique, changes, accounts, now, cancellationToken);
            }
            finally
            {
                changes.Return();
            }
        }

        private async Task<Response> StoreAsync(
            List<CheckedUsageEvent> parsed, List<CheckedUsageEvent> unique, RollupChanges changes, Dictionary<string, UsageAccount?> accounts, DateTimeOffset now, CancellationToken cancellationToken)
        {
            await using var batch = await store.BeginBatchAsync(cancellationToken);

            // A period whose invoice run started takes no more events (the invoice must not change after it is made).
            var invoiced = await batch.InvoicedPeriodsAsync(unique.Select(e => e.Period), cancellationToken);
            if (invoiced.Count > 0)
            {
                throw Invalid(parsed.Where(e => invoiced.Contains(e.Period))
                    .Select(e => ($"events[{e.Index}].timestamp", $"The event falls in period {e.Period}, which is already invoiced; late events are no longer accepted."))
                    .ToList());
            }

            var inserted = await batch.InsertNewEventsAsync(unique, now, cancellationToken);
            if (inserted.Count < unique.Count)
            {
                changes.Forget(unique, inserted);
            }

            await batch.StoreUniqueValuesAsync(changes, cancellationToken);
            var totals = await batch.AddToRollupsAsync(changes, now, cancellationToken);
            var newAlerts = await RaiseThresholdAlertsAsync(batch, totals, accounts, now, cancellationToken);
            if (newAlerts.Count > 0)
            {
                await db.SaveChangesAsync(cancellationToken);
            }

            await batch.CommitAsync(cancellationToken);
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

        /// <summary>
        /// The accounts (null: none, the free plan) of the users whose events count in a meter limited by a plan
        /// entitlement: from <see cref="AccountCache"/>, else read in one query and cached. Read before the write gate, so a
        /// batch does not hold the gate for it; a plan change committing meanwhile is seen by a later batch, as a cached
        /// account's is (the check's timing can lag, never its exactly-once alerts).
        /// </summary>
        private async Task<Dictionary<string, UsageAccount?>> AccountsOfAsync(List<CheckedUsageEvent> events, CancellationToken ct)
        {
            var accounts = new Dictionary<string, UsageAccount?>(StringComparer.Ordinal);
            List<string>? missing = null;
            foreach (var e in events)
            {
                if (e.Meter.Entitlement is null || accounts.ContainsKey(e.UserId))
                {
                    continue;
                }

                if (accountCache.TryGet(e.UserId, out var cached))
                {
                    accounts[e.UserId] = cached;
                }
                else
                {
                    accounts[e.UserId] = null;
                    (missing ??= []).Add(e.UserId);
                }
            }

            if (missing is not null)
            {
                var loaded = await db.Accounts.AsNoTracking().Where(a => missing.Contains(a.UserId)).ToDictionaryAsync(a => a.UserId, StringComparer.Ordinal, ct);
                foreach (var userId in missing)
                {
                    var account = loaded.GetValueOrDefault(userId);
                    accounts[userId] = account;
                    accountCache.Set(userId, account);
                }
            }

            return accounts;
        }

        /// <summary>
        /// Adds an alert row and a <see cref="UsageThresholdCrossed"/> for each threshold newly reached (once per user, meter,
        /// period, threshold), against the limits of <paramref name="accounts"/> (<see cref="AccountsOfAsync"/>).
        /// </summary>
        private async Task<List<AlertKey>> RaiseThresholdAlertsAsync(
            UsageEventBatch batch, List<(RollupKey Key, long Used)> totals, Dictionary<string, UsageAccount?> accounts, DateTimeOffset now, CancellationToken ct)
        {
            var raised = new List<AlertKey>();
            var candidates = new List<(AlertKey Key, long Used, long Limit)>();
            foreach (var (key, used) in totals)
            {
                if (!meters.TryGet(key.Meter, out var meter) || meter.Entitlement is null)
                {
                    continue;
                }

                var limit = planLimits.For(accounts[key.UserId]).Of(meter.Entitlement);
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

            var alerts = candidates.ConvertAll(c => new ThresholdAlert
            {
                UserId = c.Key.UserId,
                Meter = c.Key.Meter,
                Period = c.Key.Period,
                Threshold = c.Key.Threshold,
                Used = c.Used,
                Limit = c.Limit,
                CrossedAt = now,
            });
            var inserted = await batch.InsertNewAlertsAsync(alerts, ct);
            for (var i = 0; i < alerts.Count; i++)
            {
                var (key, used, limit) = candidates[i];
                if (!inserted[i])
                {
                    alerted.Remember(key); // stored by an earlier batch (on another Host, or before a restart)
                    continue;
                }

                db.AddIntegrationEvent(new UsageThresholdCrossed(IntegrationEventIds.New(now), now, key.UserId, key.Meter, key.Period, key.Threshold, used, limit, Resolved: false));
                raised.Add(key);
            }

            return raised;
        }
    }
}

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
    public List<CheckedUsageEvent> Parse(IReadOnlyList<IngestUsageEvents.EventBody?>? events, DateTimeOffset now, out List<(string Field, string Message)> errors)
    {
        errors = [];
        var result = new List<CheckedUsageEvent>(events?.Count ?? 0);
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
                result.Add(new CheckedUsageEvent(i, e.EventId!, e.UserId!, meter!, quantity!.Value, input, output, e.Timestamp!.Value.UtcTicks, period, dimensions, uniqueValue, json));
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

