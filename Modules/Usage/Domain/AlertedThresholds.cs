using System.Collections.Concurrent;

namespace Monetization.Usage.Domain;

/// <summary>A threshold alert's identity.</summary>
/// <param name="UserId">User.</param>
/// <param name="Meter">Meter.</param>
/// <param name="Period">Period.</param>
/// <param name="Threshold">80 or 100.</param>
internal readonly record struct AlertKey(string UserId, string Meter, string Period, int Threshold);

/// <summary>
/// Process-wide memory of alerts known to exist, so ingestion does not query the alert table for users already over a
/// threshold. Only a shortcut: the table (primary key) stays the source of truth; bounded, cleared when full.
/// </summary>
internal sealed class AlertedThresholds
{
    private const int Capacity = 200_000;
    private readonly ConcurrentDictionary<AlertKey, byte> _known = new();

    /// <summary>True when the alert is known to exist.</summary>
    public bool IsKnown(AlertKey key) => _known.ContainsKey(key);

    /// <summary>Remembers an alert that exists (committed).</summary>
    public void Remember(AlertKey key)
    {
        if (_known.Count >= Capacity)
        {
            _known.Clear();
        }

        _known.TryAdd(key, 0);
    }
}
