using System.Buffers.Binary;

namespace Monetization.IntegrationEvents;

/// <summary>
/// New <see cref="IIntegrationEvent.EventId"/>s: version 7 UUIDs (RFC 9562, section 5.7), whose leading 48 bits are the
/// event's time in Unix milliseconds, so that ids made later sort later. The id is the unique key of the publisher's
/// outbox row and of every consumer's inbox row; a random (version 4) id landed on a random page of those indexes, one
/// page written per event, where a time-ordered id lands on the index's last page with the other events of the same
/// moment (issue 22, docs/performance.md, twenty-first session). The 74 random bits still make ids unique within a millisecond.
/// <para>
/// Those bits come from <see cref="Random.Shared"/> (a generator per thread, seeded from the operating system), not from
/// <see cref="Guid.CreateVersion7(DateTimeOffset)"/>: .NET's Linux builds read <c>/dev/urandom</c> once for every
/// <see cref="Guid.NewGuid"/>, a system call of 1.4 µs per id on the benchmark machine (docs/performance.md, twenty-third
/// session). An event id is a key, not a secret: a webhook's authenticity rests on its signature, never on its id.
/// </para>
/// </summary>
public static class IntegrationEventIds
{
    /// <summary>A new id for an event that happened at <paramref name="occurredAt"/> (the event's own <c>OccurredAt</c>, from the module's <see cref="TimeProvider"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="occurredAt"/> is before the Unix epoch.</exception>
    public static Guid New(DateTimeOffset occurredAt)
    {
        var unixMilliseconds = occurredAt.ToUnixTimeMilliseconds();
        ArgumentOutOfRangeException.ThrowIfNegative(unixMilliseconds, nameof(occurredAt));

        // RFC 9562's byte order: unix_ts_ms (48 bits), ver = 7 (4), rand_a (12), var = 0b10 (2), rand_b (62).
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, unixMilliseconds << 16);
        Random.Shared.NextBytes(bytes[6..]);
        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }
}
