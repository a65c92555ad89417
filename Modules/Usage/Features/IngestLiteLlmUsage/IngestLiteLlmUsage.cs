using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediatR;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Http;
using Monetization.Usage.Domain;
using Monetization.Usage.Features.IngestUsageEvents;

namespace Monetization.Usage.Features.IngestLiteLlmUsage;

/// <summary>
/// <c>POST /v1/usage/integrations/litellm</c> (scope <c>usage:write</c>, issue 20): takes what LiteLLM's generic API logger
/// (<c>callback_type: generic_api</c>, litellm/integrations/generic_api/generic_api_callback.py) sends: its
/// <c>StandardLoggingPayload</c> (litellm/types/utils.py) as a JSON array (<c>log_format: json_array</c>, the default), one
/// object (<c>single</c>) or newline-delimited objects (<c>ndjson</c>). Each successful call becomes one usage event of the
/// <c>Usage:LiteLlm:Meter</c> meter (default <c>tokens</c>) through the same ingestion as <c>POST /v1/usage/events</c>:
/// <list type="bullet">
/// <item>event id = the payload's <c>id</c> (LiteLLM's call id), so a batch LiteLLM sends again is not counted twice;</item>
/// <item>input tokens = <c>prompt_tokens</c>, output tokens = <c>completion_tokens</c>, model = <c>model</c>, timestamp =
/// <c>startTime</c> (Unix seconds, or <c>YYYY-MM-DD HH:MM:SS[.ffffff]</c> / ISO 8601 read as UTC; absent: when received);</item>
/// <item>user = <c>metadata.user_api_key_user_id</c>, else <c>metadata.user_api_key_end_user_id</c>, else <c>end_user</c>;</item>
/// <item>plugin = <c>metadata.plugin_id</c>, else <c>metadata.requester_metadata.plugin_id</c>, else
/// <c>metadata.spend_logs_metadata.plugin_id</c>, else a request tag <c>{Usage:LiteLlm:PluginTagPrefix}{id}</c>.</item>
/// </list>
/// Not billed, and listed in <c>skipped</c> with the reason: <c>status: failure</c> (a failed call) and a call without
/// any user. A payload that cannot be read (no <c>id</c>, tokens that are not whole numbers ≥ 0, no <c>model</c>, an
/// unreadable <c>startTime</c>) is a 422 naming <c>[i].field</c>, and nothing of the batch is stored (all or nothing, as the
/// ingestion route); a body that is not JSON is a 400.
/// </summary>
internal static class IngestLiteLlmUsage
{
    /// <summary>Largest batch (LiteLLM's default batch size is 512).</summary>
    public const int MaxBatch = IngestUsageEvents.IngestUsageEvents.MaxBatch;

    /// <summary>The payloads as sent, in order.</summary>
    /// <param name="Payloads">Each top-level value (array items flattened).</param>
    internal sealed record Body(IReadOnlyList<JsonElement> Payloads)
    {
        // Hand-written on the ingestion hot path: the batch's list is handed over as it is (Mapster copies collections).
        public Request ToRequest() => new(Payloads);
    }

    /// <summary>The batch.</summary>
    internal sealed record Request(IReadOnlyList<JsonElement> Payloads) : IRequest<Response>;

    /// <summary>Outcome.</summary>
    /// <param name="Received">Payloads in the body.</param>
    /// <param name="Accepted">Usage events stored by this call.</param>
    /// <param name="Duplicates">Calls already recorded (LiteLLM sent them before) or repeated in the body.</param>
    /// <param name="Skipped">Payloads not billed, with why.</param>
    internal sealed record Response(int Received, int Accepted, int Duplicates, IReadOnlyList<SkippedPayload> Skipped);

    /// <summary>A payload that was not billed.</summary>
    /// <param name="Index">Its position in the body.</param>
    /// <param name="Id">Its <c>id</c>.</param>
    /// <param name="Reason"><c>failure</c> (LiteLLM's <c>status</c>: the call failed) or <c>no_user</c> (no user to bill).</param>
    internal sealed record SkippedPayload(int Index, string Id, string Reason);

    internal sealed class Handler(IMediator mediator, IOptions<UsageOptions> options) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var settings = options.Value.LiteLlm;
            if (request.Payloads.Count is 0 or > MaxBatch)
            {
                throw ProblemException.Invalid("payloads", $"Send 1 to {MaxBatch} LiteLLM payloads (got {request.Payloads.Count}).");
            }

            var errors = new List<(string Field, string Message)>();
            var events = new List<IngestUsageEvents.IngestUsageEvents.EventBody?>();
            var origin = new List<int>();
            var skipped = new List<SkippedPayload>();
            for (var i = 0; i < request.Payloads.Count; i++)
            {
                var converted = Convert(request.Payloads[i], i, settings, errors, out var skip);
                if (skip is not null)
                {
                    skipped.Add(skip);
                }
                else if (converted is not null)
                {
                    events.Add(converted);
                    origin.Add(i);
                }
            }

            if (errors.Count > 0)
            {
                throw Invalid(errors);
            }

            if (events.Count == 0)
            {
                return new Response(request.Payloads.Count, 0, 0, skipped);
            }

            try
            {
                var stored = await mediator.Send(new IngestUsageEvents.IngestUsageEvents.Request(events), cancellationToken);
                return new Response(request.Payloads.Count, stored.Accepted, stored.Duplicates, skipped);
            }
            catch (ProblemException e) when (e.Status == 422 && e.Errors is { } fieldErrors)
            {
                // The ingestion names events[k].field; answer with the payload's own index and field.
                throw Invalid(fieldErrors.SelectMany(f => f.Value.Select(m => (Rename(f.Key, origin), m))).ToList());
            }
        }

        private static IngestUsageEvents.IngestUsageEvents.EventBody? Convert(JsonElement payload, int i, LiteLlmOptions settings, List<(string, string)> errors, out SkippedPayload? skip)
        {
            skip = null;
            if (payload.ValueKind != JsonValueKind.Object)
            {
                errors.Add(($"[{i}]", "Each payload is a LiteLLM StandardLoggingPayload object."));
                return null;
            }

            var id = Text(payload, "id");
            if (string.IsNullOrWhiteSpace(id) || id.Length > 200)
            {
                errors.Add(($"[{i}].id", "id (LiteLLM's call id) is required, 1-200 characters."));
                return null;
            }

            var status = Text(payload, "status");
            if (status is not null and not ("success" or "failure"))
            {
                errors.Add(($"[{i}].status", "status is 'success' or 'failure'."));
                return null;
            }

            if (status == "failure")
            {
                skip = new SkippedPayload(i, id, "failure");
                return null;
            }

            var before = errors.Count;
            var model = Text(payload, "model");
            if (string.IsNullOrWhiteSpace(model))
            {
                errors.Add(($"[{i}].model", "model is required."));
            }

            var input = Tokens(payload, "prompt_tokens", i, errors);
            var output = Tokens(payload, "completion_tokens", i, errors);
            var timestamp = StartTime(payload, i, errors);
            if (errors.Count > before)
            {
                return null;
            }

            var metadata = payload.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
            var user = NonEmpty(Text(metadata, "user_api_key_user_id")) ?? NonEmpty(Text(metadata, "user_api_key_end_user_id")) ?? NonEmpty(Text(payload, "end_user"));
            if (user is null)
            {
                skip = new SkippedPayload(i, id, "no_user");
                return null;
            }

            var plugin = NonEmpty(Text(metadata, "plugin_id"))
                ?? NonEmpty(Text(Object(metadata, "requester_metadata"), "plugin_id"))
                ?? NonEmpty(Text(Object(metadata, "spend_logs_metadata"), "plugin_id"))
                ?? PluginTag(payload, settings.PluginTagPrefix);
            var properties = new JsonObject
            {
                ["model"] = model,
                ["input_tokens"] = input,
                ["output_tokens"] = output,
                ["source"] = "litellm",
            };
            if (plugin is not null)
            {
                properties["plugin_id"] = plugin;
            }

            if (Text(payload, "call_type") is { } callType)
            {
                properties["call_type"] = callType;
            }

            if (payload.TryGetProperty("response_cost", out var cost) && cost.ValueKind == JsonValueKind.Number)
            {
                // LiteLLM's own cost estimate in USD, kept as sent for audit; it never prices anything here.
                properties["litellm_response_cost"] = JsonNode.Parse(cost.GetRawText());
            }

            var json = JsonSerializer.SerializeToElement(properties);
            return new IngestUsageEvents.IngestUsageEvents.EventBody(id, user, settings.Meter, null, timestamp, json);
        }

        private static long Tokens(JsonElement payload, string name, int i, List<(string, string)> errors)
        {
            if (!payload.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return 0;
            }

            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) && n >= 0)
            {
                return n;
            }

            errors.Add(($"[{i}].{name}", $"{name} is a whole number of tokens, 0 or more."));
            return 0;
        }

        private static DateTimeOffset? StartTime(JsonElement payload, int i, List<(string, string)> errors)
        {
            if (!payload.TryGetProperty("startTime", out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var seconds) && seconds is > 0 and < 253_402_300_800m)
            {
                return DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
            }

            if (value.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            {
                return at;
            }

            errors.Add(($"[{i}].startTime", "startTime is Unix seconds or a date and time (UTC)."));
            return null;
        }

        private static string? PluginTag(JsonElement payload, string prefix)
        {
            if (prefix.Length == 0 || !payload.TryGetProperty("request_tags", out var tags) || tags.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            foreach (var tag in tags.EnumerateArray())
            {
                if (tag.ValueKind == JsonValueKind.String && tag.GetString() is { } text && text.StartsWith(prefix, StringComparison.Ordinal) && text.Length > prefix.Length)
                {
                    return text[prefix.Length..];
                }
            }

            return null;
        }

        private static JsonElement Object(JsonElement parent, string name) =>
            parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : default;

        private static string? Text(JsonElement parent, string name) =>
            parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

        private static string Rename(string field, List<int> origin)
        {
            // events[k].rest → [i].the LiteLLM field the event's value came from.
            var close = field.IndexOf(']', StringComparison.Ordinal);
            if (!field.StartsWith("events[", StringComparison.Ordinal) || close < 0
                || !int.TryParse(field.AsSpan(7, close - 7), NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k >= origin.Count)
            {
                return field;
            }

            var rest = field[(close + 1)..];
            var source = rest switch
            {
                ".timestamp" => ".startTime",
                ".user_id" => ".metadata.user_api_key_user_id",
                ".event_id" => ".id",
                ".properties.model" => ".model",
                ".properties.input_tokens" => ".prompt_tokens",
                ".properties.output_tokens" => ".completion_tokens",
                ".properties.plugin_id" => ".metadata.plugin_id",
                _ => rest,
            };
            return $"[{origin[k]}]{source}";
        }

        private static ProblemException Invalid(IReadOnlyList<(string Field, string Message)> errors) =>
            new(422, "Validation failed", $"Invalid fields: {string.Join(", ", errors.Select(e => e.Field).Distinct().Take(20))}.", "validation_failed",
                errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal));
    }
}

/// <summary>Reads a LiteLLM generic logger body: a JSON array, one object, or newline-delimited objects.</summary>
internal static class LiteLlmPayloadJson
{
    /// <summary>The payloads; null when the body holds no JSON value.</summary>
    /// <exception cref="JsonException">Not JSON.</exception>
    public static IngestLiteLlmUsage.Body? Parse(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { AllowMultipleValues = true, MaxDepth = 64 });
        var payloads = new List<JsonElement>();
        var values = 0;
        while (reader.Read())
        {
            using var document = JsonDocument.ParseValue(ref reader);
            values++;
            if (document.RootElement.ValueKind == JsonValueKind.Array && values == 1)
            {
                payloads.AddRange(document.RootElement.EnumerateArray().Select(e => e.Clone()));
            }
            else
            {
                payloads.Add(document.RootElement.Clone());
            }
        }

        return values == 0 ? null : new IngestLiteLlmUsage.Body(payloads);
    }
}
