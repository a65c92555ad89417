using System.Text.Json.Nodes;
using Monetization.StripeEmulator.State;

namespace Monetization.StripeEmulator.Events;

/// <summary>The API request that caused events, echoed in each event's <c>request</c> field.</summary>
internal sealed record RequestInfo(string Id, string? IdempotencyKey);

/// <summary>Creates Event objects for state changes and collects them for delivery once the lock is released.</summary>
internal sealed class EventRecorder
{
    public const string ApiVersion = Http.ApiVersions.Current;
    private readonly Store _store;
    private readonly EmulatorClock _clock;
    private readonly List<JsonObject> _pending = [];

    public EventRecorder(Store store, EmulatorClock clock)
    {
        _store = store;
        _clock = clock;
    }

    /// <summary>The request being served, or null for automatic (clock-driven or hosted-page) changes.</summary>
    public RequestInfo? Request { get; set; }

    public bool WebhooksConfigured { get; set; }

    public JsonObject Emit(string type, JsonObject obj, JsonObject? previousAttributes = null, string? account = null)
    {
        var data = new JsonObject { ["object"] = obj.DeepClone() };
        if (previousAttributes is not null)
        {
            data["previous_attributes"] = previousAttributes;
        }

        var evt = new JsonObject
        {
            ["id"] = Ids.New("evt"),
            ["object"] = "event",
        };
        if (account is not null)
        {
            evt["account"] = account;
        }

        evt["api_version"] = ApiVersion;
        evt["created"] = _clock.NowUnix;
        evt["data"] = data;
        evt["livemode"] = false;
        evt["pending_webhooks"] = WebhooksConfigured ? 1 : 0;
        evt["request"] = new JsonObject { ["id"] = Request?.Id, ["idempotency_key"] = Request?.IdempotencyKey };
        evt["type"] = type;
        _store.Add(evt);
        _pending.Add(evt);
        return evt;
    }

    /// <summary>Emits an <c>*.updated</c> event when the object differs from <paramref name="before"/>.</summary>
    public void EmitUpdated(string type, JsonObject before, JsonObject after, string? account = null)
    {
        var previous = Diff(before, after);
        if (previous.Count > 0)
        {
            Emit(type, after, previous, account);
        }
    }

    public static JsonObject Diff(JsonObject before, JsonObject after)
    {
        var previous = new JsonObject();
        foreach (var (key, oldValue) in before)
        {
            if (!JsonNode.DeepEquals(oldValue, after[key]))
            {
                previous[key] = oldValue?.DeepClone();
            }
        }

        foreach (var (key, _) in after)
        {
            if (!before.ContainsKey(key))
            {
                previous[key] = null;
            }
        }

        return previous;
    }

    public List<JsonObject> TakePending()
    {
        var batch = _pending.ToList();
        _pending.Clear();
        return batch;
    }
}
