using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Monetization.StripeEmulator.Api;
using Monetization.StripeEmulator.Events;
using Monetization.StripeEmulator.Forms;
using Monetization.StripeEmulator.State;

namespace Monetization.StripeEmulator.Http;

/// <summary>Serves <c>/v1/…</c>: authentication, fault injection, form parsing, idempotency, routing, expansion, errors.</summary>
internal sealed class ApiPipeline
{
    public static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);
    private readonly Engine _engine;
    private readonly Router _router = new();

    public ApiPipeline(Engine engine)
    {
        _engine = engine;
        Customers.Map(_router);
        Catalog.Map(_router);
        CheckoutSessions.Map(_router);
        PortalSessions.Map(_router);
        Subscriptions.Map(_router);
        SubscriptionItems.Map(_router);
        Invoices.Map(_router);
        InvoiceItems.Map(_router);
        PaymentsApi.Map(_router);
        ConnectApi.Map(_router);
        EventsApi.Map(_router);
    }

    public async Task HandleAsync(HttpContext context, string path)
    {
        var request = context.Request;
        var method = request.Method.ToUpperInvariant();
        var requestId = "req_" + Ids.Random(14);
        context.Response.Headers["Request-Id"] = requestId;
        var version = request.Headers["Stripe-Version"].FirstOrDefault();
        context.Response.Headers["Stripe-Version"] = string.IsNullOrEmpty(version) ? ApiVersions.Current : version;

        var key = ApiKey(request);
        if (key is null)
        {
            await WriteAsync(context, 401, new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["message"] = "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
                    ["type"] = "invalid_request_error",
                },
            }.ToJsonString(Pretty)).ConfigureAwait(false);
            return;
        }

        if (!key.StartsWith("sk_test_", StringComparison.Ordinal) && !key.StartsWith("rk_test_", StringComparison.Ordinal))
        {
            var masked = key.Length > 12 ? key[..8] + new string('*', key.Length - 12) + key[^4..] : key;
            var error = new ApiException(401, "invalid_request_error", $"Invalid API Key provided: {masked}", "api_key_invalid");
            await WriteAsync(context, 401, error.ToJson(requestId, _engine.Now).ToJsonString(Pretty)).ConfigureAwait(false);
            return;
        }

        if (!string.IsNullOrEmpty(version) && !ApiVersions.IsAccepted(version))
        {
            await WriteAsync(context, 400, ApiVersions.Refused(version).ToJson(requestId, _engine.Now).ToJsonString(Pretty)).ConfigureAwait(false);
            return;
        }

        if (_engine.Faults.TryTake(method, path) is { } fault)
        {
            if (fault.Status >= 500 || fault.Status == 409 || fault.Status == 429)
            {
                context.Response.Headers["Stripe-Should-Retry"] = "true";
            }

            await WriteAsync(context, fault.Status, fault.ToJson(requestId, _engine.Now).ToJsonString(Pretty)).ConfigureAwait(false);
            return;
        }

        string raw;
        if (method == "POST")
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            raw = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
            var query = request.QueryString.Value?.TrimStart('?') ?? string.Empty;
            if (query.Length > 0)
            {
                raw = raw.Length == 0 ? query : query + "&" + raw;
            }
        }
        else
        {
            raw = request.QueryString.Value ?? string.Empty;
        }

        var route = _router.Match(method, path, out var values, out _);
        if (route is null)
        {
            var error = new ApiException(404, "invalid_request_error",
                $"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.");
            await WriteAsync(context, 404, error.ToJson(requestId, _engine.Now).ToJsonString(Pretty)).ConfigureAwait(false);
            return;
        }

        var idempotencyKey = method == "POST" ? request.Headers["Idempotency-Key"].FirstOrDefault() : null;
        var info = new RequestInfo(requestId, idempotencyKey);
        var stripeAccount = request.Headers["Stripe-Account"].FirstOrDefault();
        var (status, body, replayed) = _engine.Mutate(info, () => Execute(method, path, raw, values, info, stripeAccount, route, string.IsNullOrEmpty(version) ? ApiVersions.Current : version), save: method != "GET");
        if (replayed)
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
        }

        if (idempotencyKey is not null)
        {
            context.Response.Headers["Idempotency-Key"] = idempotencyKey;
        }

        await WriteAsync(context, status, body).ConfigureAwait(false);
        _engine.Delivery.DeliverInBackground();
    }

    private (int Status, string Body, bool Replayed) Execute(string method, string path, string raw, Dictionary<string, string> values, RequestInfo info,
        string? stripeAccount, Router.Route route, string apiVersion)
    {
        var now = _engine.Now;
        var records = _engine.Store.Data.Idempotency;
        string? fingerprint = null;
        try
        {
            var form = FormParser.Parse(raw);
            if (info.IdempotencyKey is { } key)
            {
                foreach (var stale in records.Where(r => now - r.Value.Created > (long)IdempotencyWindow.TotalSeconds).Select(r => r.Key).ToList())
                {
                    records.Remove(stale);
                }

                fingerprint = method + " " + path + " " + form.Canonical();
                if (records.TryGetValue(key, out var record))
                {
                    if (record.Fingerprint != fingerprint)
                    {
                        throw new ApiException(400, "idempotency_error",
                            $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request.");
                    }

                    return (record.Status, record.Body, true);
                }
            }

            var apiRequest = new ApiRequest(_engine, method, path, form, values, info, stripeAccount, apiVersion);
            var result = route.Handler(apiRequest).DeepClone();
            Expander.Apply(result, form.StrArray("expand"), _engine.Store);
            var body = result.ToJsonString(Pretty);
            Remember(info.IdempotencyKey, fingerprint, 200, body, now);
            return (200, body, false);
        }
        catch (ApiException ex)
        {
            var body = ex.ToJson(info.Id, now).ToJsonString(Pretty);
            var validationOnly = ex.Status == 400 && (ex.Type == "idempotency_error" || (ex.Code?.StartsWith("parameter_", StringComparison.Ordinal) ?? false));
            if (!validationOnly)
            {
                Remember(info.IdempotencyKey, fingerprint, ex.Status, body, now);
            }

            return (ex.Status, body, false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or KeyNotFoundException or InvalidCastException or NullReferenceException or ArgumentException)
        {
            _engine.Logger.LogError(ex, "Emulator failed on {Method} {Path}", method, path);
            var error = new ApiException(500, "api_error", "An unknown error occurred");
            return (500, error.ToJson(info.Id, now).ToJsonString(Pretty), false);
        }
    }

    private void Remember(string? key, string? fingerprint, int status, string body, long now)
    {
        if (key is not null && fingerprint is not null)
        {
            _engine.Store.Data.Idempotency[key] = new IdempotencyRecord { Fingerprint = fingerprint, Status = status, Body = body, Created = now };
        }
    }

    private static string? ApiKey(HttpRequest request)
    {
        var header = request.Headers.Authorization.FirstOrDefault();
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header[7..].Trim();
            return token.Length == 0 ? null : token;
        }

        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                var user = decoded.Split(':')[0];
                return user.Length == 0 ? null : user;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return null;
    }

    public static async Task WriteAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }
}
