using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Monetization.StripeEmulator.Http;
using Monetization.StripeEmulator.Shapes;

namespace Monetization.StripeEmulator.Testing;

/// <summary>
/// <c>/_test/…</c>: scriptable test-mode actions (JSON in and out). Each action answers only after the webhooks
/// for the events it caused have been delivered (attempted).
/// </summary>
internal sealed class TestRoutes
{
    private readonly Engine _engine;

    public TestRoutes(Engine engine) => _engine = engine;

    public async Task HandleAsync(HttpContext context, string path)
    {
        var method = context.Request.Method.ToUpperInvariant();
        var segments = path.Trim('/').Split('/');
        var requestId = "req_" + State.Ids.Random(14);
        context.Response.Headers["Request-Id"] = requestId;
        try
        {
            var body = method is "POST" or "PUT" ? await ReadJsonAsync(context).ConfigureAwait(false) : [];
            var result = await DispatchAsync(context, method, segments, body).ConfigureAwait(false);
            await ApiPipeline.WriteAsync(context, 200, result.ToJsonString(ApiPipeline.Pretty)).ConfigureAwait(false);
        }
        catch (ApiException ex)
        {
            await _engine.Delivery.DeliverPendingAsync(context.RequestAborted).ConfigureAwait(false);
            await ApiPipeline.WriteAsync(context, ex.Status, ex.ToJson(requestId, _engine.Now).ToJsonString(ApiPipeline.Pretty)).ConfigureAwait(false);
        }
    }

    private async Task<JsonNode> DispatchAsync(HttpContext context, string method, string[] s, JsonObject body)
    {
        var ct = context.RequestAborted;
        switch (method, s.Length > 1 ? s[1] : string.Empty)
        {
            case ("POST", "checkout_sessions") when s.Length == 4 && s[3] == "complete":
            {
                var card = body.Str("card") ?? "4242424242424242";
                var result = _engine.Mutate(null, () =>
                {
                    var session = _engine.Store.Require(s[2], "checkout.session", "id");
                    return _engine.Checkout.Complete(session, card, body.Str("email")).DeepClone();
                });
                await _engine.Delivery.DeliverPendingAsync(ct).ConfigureAwait(false);
                return result;
            }

            case ("POST", "clock") when s.Length == 3 && s[2] == "advance":
            {
                var seconds = LongOf(body, "seconds");
                var to = LongOf(body, "to");
                if (seconds is null && to is null)
                {
                    throw ApiException.Missing("seconds");
                }

                var target = to ?? _engine.Now + seconds!.Value;
                if (target < _engine.Now)
                {
                    throw ApiException.Invalid("The test clock cannot move backwards.", "seconds");
                }

                // Deliver anything pending first so that the advance's events are a separate, ordered burst.
                _engine.Mutate<object?>(null, () => null, save: false);
                await _engine.Delivery.DeliverPendingAsync(ct).ConfigureAwait(false);
                await _engine.AdvanceToAsync(target, ct).ConfigureAwait(false);
                return Clock();
            }

            case ("GET", "clock"):
                return Clock();

            case ("POST", "accounts") when s.Length == 4 && s[3] == "complete_onboarding":
            {
                var account = _engine.Mutate(null, () => _engine.Onboarding.Complete(_engine.Store.Require(s[2], "account", "account")).DeepClone());
                await _engine.Delivery.DeliverPendingAsync(ct).ConfigureAwait(false);
                return account;
            }

            case ("POST", "accounts") when s.Length == 4 && s[3] == "balance":
            {
                var amount = LongOf(body, "amount") ?? throw ApiException.Missing("amount");
                var currency = body.Str("currency") ?? "usd";
                return _engine.Mutate(null, () =>
                {
                    _engine.Store.Require(s[2], "account", "account");
                    _engine.Balances.Set(s[2], currency, amount);
                    return _engine.Balances.BalanceObject(s[2]);
                });
            }

            case ("POST", "webhooks") when s.Length == 2:
            {
                if (body["duplicate"] is JsonValue duplicate)
                {
                    _engine.Delivery.Duplicate = duplicate.GetValue<bool>();
                }

                if (body["shuffle"] is JsonValue shuffle)
                {
                    _engine.Delivery.Shuffle = shuffle.GetValue<bool>();
                }

                return WebhookSettings();
            }

            case ("GET", "webhooks") when s.Length == 2:
                return WebhookSettings();

            case ("POST", "webhooks") when s.Length == 3 && s[2] == "flush":
                await _engine.Delivery.DeliverPendingAsync(ct).ConfigureAwait(false);
                return WebhookSettings();

            case ("POST", "faults"):
            {
                var status = (int)(LongOf(body, "status") ?? throw ApiException.Missing("status"));
                var count = (int)(LongOf(body, "count") ?? 1);
                var prefix = body.Str("path_prefix") ?? "/v1/";
                _engine.Faults.Add(body.Str("method"), prefix, status, count, body.Str("type"), body.Str("code"), body.Str("message"));
                return new JsonObject { ["faults"] = _engine.Faults.Describe() };
            }

            case ("DELETE", "faults"):
                _engine.Faults.Clear();
                return new JsonObject { ["faults"] = new JsonArray() };

            case ("GET", "faults"):
                return new JsonObject { ["faults"] = _engine.Faults.Describe() };

            case ("GET", "events") when s.Length == 3 && s[2] == "delivered":
                return Common.List("/_test/events/delivered", _engine.Delivery.Log());

            case ("DELETE", "events") when s.Length == 3 && s[2] == "delivered":
                _engine.Delivery.ClearLog();
                return Common.List("/_test/events/delivered");

            default:
                throw new ApiException(404, "invalid_request_error", $"Unrecognized test route ({method}: /{string.Join('/', s)}).");
        }
    }

    private JsonObject Clock()
    {
        var now = _engine.Clock.GetUtcNow();
        return new JsonObject
        {
            ["now"] = now.ToUnixTimeSeconds(),
            ["iso"] = now.ToString("O", CultureInfo.InvariantCulture),
            ["offset_seconds"] = (long)_engine.Clock.Offset.TotalSeconds,
        };
    }

    private JsonObject WebhookSettings() => new()
    {
        ["duplicate"] = _engine.Delivery.Duplicate,
        ["shuffle"] = _engine.Delivery.Shuffle,
        ["configured"] = _engine.Delivery.Configured,
        ["secret"] = _engine.Delivery.Secret,
    };

    private static long? LongOf(JsonObject body, string name)
    {
        var node = body[name];
        if (node is not JsonValue value)
        {
            return null;
        }

        if (value.TryGetValue<long>(out var l))
        {
            return l;
        }

        if (value.TryGetValue<double>(out var d))
        {
            return (long)d;
        }

        return value.TryGetValue<string>(out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
    }

    private static async Task<JsonObject> ReadJsonAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw ApiException.Invalid("The body must be a JSON object.", null);
        }
        catch (JsonException ex)
        {
            throw ApiException.Invalid("Invalid JSON body: " + ex.Message, null);
        }
    }
}
