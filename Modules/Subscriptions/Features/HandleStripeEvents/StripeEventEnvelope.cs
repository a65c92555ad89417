using System.Text.Json;
using System.Text.Json.Serialization;
using Monetization.Stripe.Json;
using StripeNet = Stripe;

namespace Monetization.Subscriptions.Features.HandleStripeEvents;

/// <summary>
/// A Stripe event as the webhook path reads it: the envelope (<c>id</c>, <c>type</c>, <c>created</c>, <c>livemode</c>,
/// <c>account</c>, <c>api_version</c>) parsed with System.Text.Json, and <c>data.object</c>, read from the body's bytes, bound to Stripe.net's model
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

    private readonly byte[] _utf8;
    private readonly ObjectSlice _object;
    private object? _bound;

    private StripeEventEnvelope(Wire wire, byte[] utf8)
    {
        Id = wire.Id!;
        Type = wire.Type!;
        Created = DateTimeOffset.FromUnixTimeSeconds(wire.Created);
        Livemode = wire.Livemode;
        Account = wire.Account;
        ApiVersion = wire.ApiVersion;
        _utf8 = utf8;
        _object = wire.Data!.Object;
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

    /// <summary><c>data.object</c>'s <c>id</c> when it is a string, else null.</summary>
    public string? ObjectId => _object.Id;

    /// <summary>
    /// Parses a received or stored body. The envelope keeps <paramref name="utf8"/> (the caller hands it over and does not
    /// change it) and remembers where <c>data.object</c> lies in it, so that <see cref="GetObject{T}"/> binds straight from
    /// those bytes: holding the object as a <see cref="JsonElement"/> copied it into a document of its own on every
    /// delivery, 7 % of the bytes the webhook path allocated (issue 22, docs/performance.md, eighteenth session).
    /// </summary>
    /// <exception cref="JsonException">Not JSON, or not an event (no <c>id</c>, <c>type</c>, <c>created</c> or object <c>data.object</c>).</exception>
    public static StripeEventEnvelope Parse(byte[] utf8)
    {
        ArgumentNullException.ThrowIfNull(utf8);
        var wire = JsonSerializer.Deserialize<Wire>(utf8, EnvelopeJson) ?? throw new JsonException("The body is JSON null.");
        if (string.IsNullOrEmpty(wire.Id) || string.IsNullOrEmpty(wire.Type) || wire.Data is null || !wire.Data.Object.IsObject)
        {
            throw new JsonException("A Stripe event needs id, type and data.object.");
        }

        return new StripeEventEnvelope(wire, utf8);
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
            value = JsonSerializer.Deserialize<T>(_utf8.AsSpan(_object.Start, _object.Length), StripeObjectJson.Options);
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
        [JsonConverter(typeof(ObjectSliceConverter))]
        public ObjectSlice Object { get; set; }
    }

    /// <summary>Where <c>data.object</c> lies in the body (byte offset and length), whether it is a JSON object, and its <c>id</c>.</summary>
    private readonly record struct ObjectSlice(int Start, int Length, bool IsObject, string? Id);

    /// <summary>
    /// Reads <c>data.object</c> without building anything from it: its position in the body (the envelope is always read
    /// from one contiguous span, so the reader's offsets are offsets in the body) and its top-level <c>id</c>.
    /// </summary>
    private sealed class ObjectSliceConverter : JsonConverter<ObjectSlice>
    {
        public override ObjectSlice Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var start = checked((int)reader.TokenStartIndex);
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                return new ObjectSlice(start, checked((int)reader.BytesConsumed) - start, false, null);
            }

            string? id = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isId && reader.TokenType == JsonTokenType.String)
                {
                    id = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }

            return new ObjectSlice(start, checked((int)reader.BytesConsumed) - start, true, id);
        }

        public override void Write(Utf8JsonWriter writer, ObjectSlice value, JsonSerializerOptions options) =>
            throw new NotSupportedException("The envelope is only read.");
    }
}
