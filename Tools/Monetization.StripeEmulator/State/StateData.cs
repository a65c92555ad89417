using System.Text.Json.Nodes;

namespace Monetization.StripeEmulator.State;

/// <summary>Everything the emulator remembers; serialised as a whole when persistence is on.</summary>
internal sealed class StateData
{
    public long ClockOffsetTicks { get; set; }

    public long Sequence { get; set; }

    /// <summary>Every Stripe object by id, in the exact shape returned by the API.</summary>
    public Dictionary<string, JsonObject> Objects { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Creation sequence by id, for newest-first lists.</summary>
    public Dictionary<string, long> Order { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Emulator-only facts about an object (card numbers, balances, retry anchors), by object id.</summary>
    public Dictionary<string, JsonObject> Internal { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, IdempotencyRecord> Idempotency { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A stored response for an idempotency key.</summary>
internal sealed class IdempotencyRecord
{
    public string Fingerprint { get; set; } = string.Empty;

    public int Status { get; set; }

    public string Body { get; set; } = string.Empty;

    public long Created { get; set; }
}
