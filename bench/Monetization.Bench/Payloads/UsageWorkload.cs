using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Monetization.Bench.Payloads;

/// <summary>One usage event as the Usage issue defines it (<c>{event_id, user_id, meter, quantity, timestamp, properties}</c>).</summary>
internal readonly record struct UsageEvent(string EventId, string UserId, string Meter, long Quantity, DateTimeOffset Timestamp, string? Model);

/// <summary>
/// A deterministic usage workload: event <c>i</c> has a fixed id, user, meter, quantity and timestamp, so the expected
/// rollups can be computed from the indices that were accepted. Meters: <c>api_calls</c> (count, quantity 1) and
/// <c>tokens</c> (sum, quantity 1..4000, <c>properties.model</c>). Timestamps fall in [from, to).
/// </summary>
internal sealed class UsageWorkload(string tag, Func<long, string> userOf, DateTimeOffset from, DateTimeOffset to)
{
    public const string ApiCalls = "api_calls";
    public const string Tokens = "tokens";
    private static readonly string[] Models = ["gpt-4o-mini", "claude-haiku", "llama-3-8b"];
    private readonly long _spanMs = Math.Max(1, (long)(to - from).TotalMilliseconds);

    /// <summary>The period the timestamps fall in, <c>YYYY-MM</c>.</summary>
    public string Month => from.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public UsageEvent this[long i]
    {
        get
        {
            var tokens = i % 2 == 1;
            return new UsageEvent(
                $"uev_{tag}_{i.ToString(CultureInfo.InvariantCulture)}",
                userOf(i),
                tokens ? Tokens : ApiCalls,
                tokens ? 1 + (i * 7919 % 4000) : 1,
                from.AddMilliseconds(i * 104_729 % _spanMs),
                tokens ? Models[(i / 2) % Models.Length] : null);
        }
    }

    /// <summary>Timestamps of the current month up to now (at most the last 7 days).</summary>
    public static (DateTimeOffset From, DateTimeOffset To) ThisMonthSoFar()
    {
        var now = DateTimeOffset.UtcNow;
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var from = now.AddDays(-7) > monthStart ? now.AddDays(-7) : monthStart;
        return (from, now.AddSeconds(-1));
    }

    /// <summary>The JSON body <c>{"events": [...]}</c> of the given event indices.</summary>
    public byte[] Body(IReadOnlyList<long> indices)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, indices.Count * 190));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("events");
            foreach (var i in indices)
            {
                var e = this[i];
                json.WriteStartObject();
                json.WriteString("event_id", e.EventId);
                json.WriteString("user_id", e.UserId);
                json.WriteString("meter", e.Meter);
                json.WriteNumber("quantity", e.Quantity);
                json.WriteString("timestamp", e.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                json.WriteStartObject("properties");
                if (e.Model is not null)
                {
                    json.WriteString("model", e.Model);
                }
                else
                {
                    json.WriteString("endpoint", "/v1/chat/completions");
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Expected totals per user and meter over a set of distinct event indices.</summary>
    public Dictionary<(string User, string Meter), long> Totals(IEnumerable<long> distinctIndices)
    {
        var totals = new Dictionary<(string, string), long>();
        foreach (var i in distinctIndices)
        {
            var e = this[i];
            totals[(e.UserId, e.Meter)] = totals.GetValueOrDefault((e.UserId, e.Meter)) + e.Quantity;
        }

        return totals;
    }
}

/// <summary>Reads a meter's total from the consumption answer, whatever its exact layout.</summary>
internal static class ConsumptionJson
{
    private static readonly string[] TotalNames = ["used", "total", "quantity", "consumed", "value", "usage", "sum", "count"];

    /// <summary>
    /// Looks for, in order: an object with <c>"meter": meter</c> and a numeric total field; a property named after the meter
    /// (a number, or an object with a numeric total field); a property <c>total_{meter}</c>. Null when none is found.
    /// </summary>
    public static long? Total(JsonNode? node, string meter)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["meter"] is JsonValue m && m.TryGetValue<string>(out var name) && name == meter && FirstNumber(obj) is { } byMeter)
                {
                    return byMeter;
                }

                if (obj[meter] is JsonValue direct && direct.TryGetValue<long>(out var value))
                {
                    return value;
                }

                if (obj[meter] is JsonObject named && FirstNumber(named) is { } inNamed)
                {
                    return inNamed;
                }

                if (obj["total_" + meter] is JsonValue prefixed && prefixed.TryGetValue<long>(out var total))
                {
                    return total;
                }

                foreach (var (_, child) in obj)
                {
                    if (Total(child, meter) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (Total(child, meter) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static long? FirstNumber(JsonObject obj)
    {
        foreach (var key in TotalNames)
        {
            if (obj[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
            {
                return v.TryGetValue<long>(out var l) ? l : (long)v.GetValue<double>();
            }
        }

        return null;
    }
}
