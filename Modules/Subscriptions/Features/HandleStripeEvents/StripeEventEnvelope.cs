using System.Text.Json;
using System.Text.Json.Serialization;
using Monetization.Stripe.Json;
using StripeNet = Stripe;

namespace Monetization.Subscriptions.Features.HandleStripeEvents;

/// <summary>
/// A Stripe event as the webhook path reads it: the envelope (<c>id</c>, <c>type</c>, <c>created</c>, <c>livemode</c>,
/// <c>account</c>, <c>api_version</c>) parsed with System.Text.Json, and <c>data.object</c> bound to Stripe.net's model
/// (<see cref="StripeNet.Subscription"/>, <see cref="StripeNet.Invoice"/>, …) only when a handled type asks for it, with
/// <see cref="StripeObjectJson.Options"/> (Stripe.net's model, plain System.Text.Json contracts, ADR 0023). Stripe.net's
/// <see cref="StripeNet.EventUtility.ParseEvent(string, bool)"/> binds every envelope and object through Newtonsoft.Json
/// and costs about twice as much per event; ignored event types are never bound here (ADR 0021). Events of any API version
/// are read: fields the model lacks are skipped, as <c>throwOnApiVersionMismatch: false</c> would.
/// </summary>
internal sealed class StripeEventEnvelope
{
    private static readonly JsonSerializerOptions EnvelopeJson = new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    private object? _bound;

    private StripeEventEnvelope(Wire wire)
    {
        Id = wire.Id!;
        Type = wire.Type!;
        Created = DateTimeOffset.FromUnixTimeSeconds(wire.Created);
        Livemode = wire.Livemode;
        Account = wire.Account;
        ApiVersion = wire.ApiVersion;
        Object = wire.Data!.Object;
    }

    /// <summary>The event id (<c>evt_…</c>).</summary>
    public string Id { get; }

    /// <summary>The event type, e.g. <c>invoice.paid</c>.</summary>
    public string Type { get; }

    /// <summary>When Stripe created the event (UTC, whole seconds): the order of a subscription's updates.</summary>
    public DateTimeOffset Created { get; }

    /// <summary>True for live mode.</summary>
    public bool Livemode { get; }

    /// <summary>Connect: the connected account (<c>acct_…</c>) the event happened on, else null.</summary>
    public string? Account { get; }

    /// <summary>The API version the object is rendered in (e.g. <c>2026-10-28.endive</c>).</summary>
    public string? ApiVersion { get; }

    /// <summary><c>data.object</c> as sent.</summary>
    public JsonElement Object { get; }

    /// <summary>The object's <c>id</c>, or null.</summary>
    public string? ObjectId => Object.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;

    /// <summary>Parses a received or stored body.</summary>
    /// <exception cref="JsonException">Not JSON, or not an event (no <c>id</c>, <c>type</c>, <c>created</c> or object <c>data.object</c>).</exception>
    public static StripeEventEnvelope Parse(ReadOnlySpan<byte> utf8)
    {
        var wire = JsonSerializer.Deserialize<Wire>(utf8, EnvelopeJson) ?? throw new JsonException("The body is JSON null.");
        if (string.IsNullOrEmpty(wire.Id) || string.IsNullOrEmpty(wire.Type) || wire.Data is null || wire.Data.Object.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("A Stripe event needs id, type and data.object.");
        }

        return new StripeEventEnvelope(wire);
    }

    /// <summary><c>data.object</c> bound to Stripe.net's <typeparamref name="T"/> (once; later calls return the same instance).</summary>
    /// <exception cref="JsonException">The object does not bind to <typeparamref name="T"/>.</exception>
    public T GetObject<T>()
        where T : class
    {
        if (_bound is T bound)
        {
            return bound;
        }

        T? value;
        try
        {
            value = Object.Deserialize<T>(StripeObjectJson.Options);
        }
        catch (Exception e) when (e is not JsonException)
        {
            throw new JsonException($"data.object does not bind to {typeof(T).Name}: {e.Message}", e);
        }

        _bound = value ?? throw new JsonException("data.object is null.");
        return value;
    }

    private sealed class Wire
    {
        public string? Id { get; set; }

        public string? Type { get; set; }

        public long Created { get; set; }

        public bool Livemode { get; set; }

        public string? Account { get; set; }

        public string? ApiVersion { get; set; }

        public WireData? Data { get; set; }
    }

    private sealed class WireData
    {
        public JsonElement Object { get; set; }
    }
}
