using System.Text.Json;
using Monetization.Stripe.Internal;

namespace Monetization.Stripe;

/// <summary>
/// A Stripe Event (<c>evt_…</c>): a webhook body or an item of GET /v1/events. <c>data.object</c> is rendered in
/// <see cref="ApiVersion"/> (the webhook endpoint's version). Delivery is at-least-once and unordered: dedupe on <see cref="Id"/>.
/// </summary>
public sealed class StripeEvent : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Always <c>event</c>.</summary>
    public string Object { get; init; } = "event";

    /// <summary>Event type, e.g. <c>checkout.session.completed</c>, <c>customer.subscription.updated</c>, <c>invoice.paid</c>.</summary>
    public string Type { get; init; } = "";

    /// <summary>When the event happened (UTC).</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>API version <c>data.object</c> was rendered with, e.g. <c>2026-07-29.dahlia</c>; may be null.</summary>
    public string? ApiVersion { get; init; }

    /// <summary>Test or live mode.</summary>
    public bool Livemode { get; init; }

    /// <summary>Connect: the connected account (<c>acct_…</c>) the event came from.</summary>
    public string? Account { get; init; }

    /// <summary>Webhook deliveries still pending.</summary>
    public long PendingWebhooks { get; init; }

    /// <summary>The API request that caused the event; its id is null for automatic events.</summary>
    public StripeEventRequest? Request { get; init; }

    /// <summary>The event payload.</summary>
    public StripeEventData Data { get; init; } = new();
}

/// <summary>An event's <c>request</c>.</summary>
public sealed class StripeEventRequest
{
    /// <summary>Request id (<c>req_…</c>), null for automatic events (e.g. a renewal).</summary>
    public string? Id { get; init; }

    /// <summary>The Idempotency-Key of that request.</summary>
    public string? IdempotencyKey { get; init; }
}

/// <summary>An event's <c>data</c>.</summary>
public sealed class StripeEventData
{
    /// <summary>The object as raw JSON (its <c>object</c> member names the type).</summary>
    public JsonElement Object { get; init; }

    /// <summary>On <c>*.updated</c> events: the old values of the changed fields; otherwise null.</summary>
    public JsonElement? PreviousAttributes { get; init; }

    /// <summary>The <c>object</c> member of <see cref="Object"/>, e.g. <c>subscription</c>, or null.</summary>
    public string? ObjectType =>
        Object.ValueKind == JsonValueKind.Object && Object.TryGetProperty("object", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;

    /// <summary>
    /// Deserialises <see cref="Object"/> as <typeparamref name="T"/> (e.g. <see cref="Subscription"/> for
    /// <c>customer.subscription.*</c>). The result is kept: a later call for the same type returns the same instance, so
    /// treat it as read-only.
    /// </summary>
    /// <typeparam name="T">The model type matching the event type.</typeparam>
    /// <returns>The typed object.</returns>
    /// <exception cref="JsonException">The object does not fit <typeparamref name="T"/> or is missing.</exception>
    public T GetObject<T>()
    {
        if (_typed is T kept)
        {
            return kept;
        }

        var value = StripeJson.Deserialize<T>(Object);
        _typed = value;
        return value;
    }

    private object? _typed;
}
