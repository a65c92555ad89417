namespace Monetization.BuildingBlocks.Outbox;

/// <summary>
/// One integration event waiting in (or delivered from) a module's outbox table (<c>OutboxMessages</c>). Written in the
/// same transaction as the business change that raised it; the module's dispatcher publishes it after commit.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>Insertion order (auto-increment); dispatch order within a module.</summary>
    public long Sequence { get; set; }

    /// <summary>The event's <c>EventId</c>; unique.</summary>
    public Guid EventId { get; set; }

    /// <summary>Wire name from the event registry (<c>subscriptions.first_paid_transition</c>).</summary>
    public string Type { get; set; } = "";

    /// <summary>The event serialized as JSON.</summary>
    public string Payload { get; set; } = "";

    /// <summary>The event's <c>OccurredAt</c>, UTC.</summary>
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>Delivery attempts made so far.</summary>
    public int Attempts { get; set; }

    /// <summary>Not dispatched before this instant, UTC (backoff after a failure).</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>When every consumer succeeded, UTC; null while pending.</summary>
    public DateTimeOffset? DispatchedAt { get; set; }

    /// <summary>When it was given up after the configured attempts, UTC; null unless dead-lettered.</summary>
    public DateTimeOffset? DeadLetteredAt { get; set; }

    /// <summary>The last failure, consumers' messages joined.</summary>
    public string? LastError { get; set; }

    /// <summary>Claim lease: another dispatcher instance skips the row until then, UTC.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>Which dispatcher instance holds the lease.</summary>
    public string? LockedBy { get; set; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the work that raised the event (null without tracing), so its publication and
    /// consumers join that trace: one Stripe webhook can be followed through every module (issue 18).
    /// </summary>
    public string? TraceParent { get; set; }
}

/// <summary>
/// A consumer's record that it has handled an event (<c>InboxMessages</c>, key (EventId, Consumer)), written in the
/// consumer's own transaction together with its effects, so a redelivery is a no-op.
/// </summary>
public sealed class InboxMessage
{
    /// <summary>The event handled.</summary>
    public Guid EventId { get; set; }

    /// <summary>The consumer's full type name.</summary>
    public string Consumer { get; set; } = "";

    /// <summary>When it was handled, UTC.</summary>
    public DateTimeOffset ProcessedAt { get; set; }
}
