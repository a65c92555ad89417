using System.Globalization;
using System.Text.Json;

namespace Monetization.Usage.Features.IngestUsageEvents;

/// <summary>
/// Reads the body of <c>POST /v1/usage/events</c> into <see cref="IngestUsageEvents.Body"/> in one pass of
/// <see cref="Utf8JsonReader"/> over the buffered bytes, with the serializer's rules for that shape: snake_case names,
/// case-sensitive, strict JSON types (strings or null for ids, a number or null for <c>quantity</c>, an ISO 8601 string
/// or null for <c>timestamp</c>, any value for <c>properties</c>), unknown members skipped, the last of a repeated member
/// kept. Why not the serializer: its resumable streaming read of a 1,000-event batch into positional records was a large
/// share of the Host's CPU on this route (docs/performance.md).
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
