namespace Monetization.IntegrationEvents;

/// <summary>
/// New <see cref="IIntegrationEvent.EventId"/>s: version 7 UUIDs (RFC 9562, section 5.7), whose leading 48 bits are the
/// event's time in Unix milliseconds, so that ids made later sort later. The id is the unique key of the publisher's
/// outbox row and of every consumer's inbox row; a random (version 4) id landed on a random page of those indexes, one
/// page written per event, where a time-ordered id lands on the index's last page with the other events of the same
/// moment (issue 22, docs/performance.md, twenty-first session). The 74 random bits still make ids unique within a millisecond.
/// </summary>
public static class IntegrationEventIds
{
    /// <summary>A new id for an event that happened at <paramref name="occurredAt"/> (the event's own <c>OccurredAt</c>, from the module's <see cref="TimeProvider"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="occurredAt"/> is before the Unix epoch.</exception>
    public static Guid New(DateTimeOffset occurredAt) => Guid.CreateVersion7(occurredAt);
}
