using System.Diagnostics;
using Monetization.BuildingBlocks.Telemetry;
using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Monetization.BuildingBlocks.Http;
using Monetization.Stripe;
using Monetization.Subscriptions.Features.HandleStripeEvents;

namespace Monetization.Subscriptions.Features.ReceiveStripeWebhook;

/// <summary>
/// <c>POST /v1/webhooks/stripe</c>: Stripe's deliveries. No API key; the <c>Stripe-Signature</c> header is verified over the
/// raw body with Stripe.net's <c>EventUtility.ValidateSignature</c> and any of <c>Stripe:WebhookSecrets</c> (rotation) within the tolerance (<see cref="StripeWebhookSignature"/>). Then the event is stored once and
/// processed before the answer (grouped with concurrent deliveries by <see cref="StripeEventIntake"/>): 200 <c>{status: processed|ignored|failed|duplicate}</c>. A processing failure is still 200
/// (the event is kept and retried by us, not by Stripe). 413 over 1 MiB, 400 for a bad signature or malformed JSON.
/// </summary>
internal static class ReceiveStripeWebhook
{
    /// <summary>Largest accepted body: 1 MiB (Stripe's events are far smaller).</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>The answer: what became of the event.</summary>
    /// <param name="Status"><c>processed</c>, <c>ignored</c> (type not handled; stored and acknowledged), <c>failed</c> (stored, retried in the background) or <c>duplicate</c> (already stored; nothing changed).</param>
    /// <param name="EventId">Stripe's event id.</param>
    internal sealed record Response(string Status, string EventId);

    /// <summary>
    /// Receives one delivery. A refused one (413, bad signature, malformed JSON) is counted too, with the problem type as its
    /// outcome (<c>payload_too_large</c>, <c>invalid_signature</c>, <c>malformed_json</c>): a wrong webhook secret shows
    /// as a rate of <c>invalid_signature</c> (docs/operations.md).
    /// </summary>
    internal static async Task HandleAsync(HttpContext context)
    {
        try
        {
            await ReceiveAsync(context);
        }
        catch (ProblemException problem) when (problem.Status < 500)
        {
            MonetizationTelemetry.StripeWebhookEvents.Add(1, new KeyValuePair<string, object?>("outcome", problem.Type ?? "refused"));
            throw;
        }
    }

    private static async Task ReceiveAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > MaxBodyBytes)
        {
            throw TooLarge();
        }

        var body = await ReadBodyAsync(request, context.RequestAborted);
        var payload = Encoding.UTF8.GetString(body);
        var signature = context.RequestServices.GetRequiredService<StripeWebhookSignature>();
        try
        {
            signature.Verify(payload, request.Headers["Stripe-Signature"]);
        }
        catch (StripeSignatureVerificationException e)
        {
            throw new ProblemException(
                400,
                "Invalid Stripe signature",
                e.Message,
                "invalid_signature",
                extensions: new Dictionary<string, object?> { ["reason"] = JsonNamingPolicy.SnakeCaseLower.ConvertName(e.Reason.ToString()) });
        }

        StripeEventEnvelope evt;
        try
        {
            evt = StripeEventEnvelope.Parse(body);
        }
        catch (JsonException e)
        {
            throw ProblemException.BadRequest($"The body is not a Stripe event: {e.Message}", "malformed_json");
        }

        var intake = context.RequestServices.GetRequiredService<StripeEventIntake>();
        var started = Stopwatch.GetTimestamp();
        var status = await intake.ReceiveAsync(evt, payload, context.RequestAborted);
        Record(status, started);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, new Response(status, evt.Id), ApiJson.Options, context.RequestAborted);
    }

    /// <summary>The intake metrics (docs/operations.md), only when something listens.</summary>
    private static void Record(string status, long started)
    {
        var outcome = new KeyValuePair<string, object?>("outcome", status);
        MonetizationTelemetry.StripeWebhookEvents.Add(1, outcome);
        if (MonetizationTelemetry.StripeWebhookDuration.Enabled)
        {
            MonetizationTelemetry.StripeWebhookDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, outcome);
        }
    }

    /// <summary>
    /// The body as one array of its exact size. With a <c>Content-Length</c> (Stripe always sends one) it is read straight
    /// into an array of that size: growing a buffer by 8 KiB steps and copying it out was a fifth of the bytes the webhook
    /// path allocated per event (issue 22, docs/performance.md, eighteenth session). A chunked body grows a buffer.
    /// </summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            return request.ContentLength is { } length ? await ReadExactlyAsync(request.Body, (int)length, ct) : await ReadChunkedAsync(request.Body, ct);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge();
        }
    }

    /// <summary>Reads the announced <paramref name="length"/> (at most <see cref="MaxBodyBytes"/>, checked before); a shorter body is returned as it came.</summary>
    private static async Task<byte[]> ReadExactlyAsync(Stream body, int length, CancellationToken ct)
    {
        var buffer = new byte[length];
        var filled = 0;
        while (filled < length)
        {
            var read = await body.ReadAsync(buffer.AsMemory(filled), ct);
            if (read == 0)
            {
                return buffer[..filled];
            }

            filled += read;
        }

        return buffer;
    }

    private static async Task<byte[]> ReadChunkedAsync(Stream body, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        while (true)
        {
            var read = await body.ReadAsync(buffer.GetMemory(8 * 1024), ct);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > MaxBodyBytes)
            {
                throw TooLarge();
            }
        }
    }

    private static ProblemException TooLarge() =>
        new(413, "Payload too large", $"Stripe webhook bodies are limited to {MaxBodyBytes} bytes.", "payload_too_large");
}
