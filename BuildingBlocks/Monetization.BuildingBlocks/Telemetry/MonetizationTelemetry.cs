using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Monetization.BuildingBlocks.Telemetry;

/// <summary>
/// The one <see cref="ActivitySource"/> and <see cref="Meter"/> of the modules and building blocks, both named
/// <see cref="Name"/>, and the instruments they record (issue 18; names and units per OpenTelemetry's semantic
/// conventions, documented in docs/operations.md). The Host subscribes to them only when an exporter is configured
/// (<c>OTEL_EXPORTER_OTLP_*</c>, <c>Telemetry:Prometheus</c>); without a listener an activity is never created and a
/// measurement costs a check of <c>Enabled</c>, so the hot paths pay next to nothing.
/// </summary>
public static class MonetizationTelemetry
{
    /// <summary>The name of the activity source and the meter: <c>Monetization</c>.</summary>
    public const string Name = "Monetization";

    /// <summary>
    /// What the Host also subscribes to, for traces and metrics: <c>Monetization.*</c>, so a module that keeps its own
    /// <see cref="ActivitySource"/> or <see cref="Meter"/> named <c>Monetization.&lt;Module&gt;</c> (the outbox gauges'
    /// <c>Monetization.Outbox</c>, a module's <c>Monetization.Webhooks</c>) is exported without a Host change.
    /// </summary>
    public const string Wildcard = Name + ".*";

    /// <summary>Spans of the outbox (publish, consume) and other work outside HTTP.</summary>
    public static readonly ActivitySource Source = new(Name);

    /// <summary>The meter every instrument below belongs to.</summary>
    public static readonly Meter Meter = new(Name);

    /// <summary><c>monetization.stripe_webhook.events</c> {event}: Stripe webhook deliveries answered, by <c>outcome</c> (processed, ignored, failed, duplicate).</summary>
    public static readonly Counter<long> StripeWebhookEvents = Meter.CreateCounter<long>("monetization.stripe_webhook.events", "{event}", "Stripe webhook deliveries answered, by outcome.");

    /// <summary><c>monetization.stripe_webhook.duration</c> s: from the body read to the answer, by <c>outcome</c>.</summary>
    public static readonly Histogram<double> StripeWebhookDuration = Meter.CreateHistogram<double>("monetization.stripe_webhook.duration", "s", "Time to verify, store and apply a Stripe webhook delivery.");

    /// <summary><c>monetization.usage.events_ingested</c> {event}: usage events accepted (new, not duplicates).</summary>
    public static readonly Counter<long> UsageEventsIngested = Meter.CreateCounter<long>("monetization.usage.events_ingested", "{event}", "Usage events stored (duplicates by event_id excluded).");

    /// <summary><c>monetization.outbox.published</c> {event}: integration events published to consumers, by <c>module</c> and <c>outcome</c> (delivered, failed).</summary>
    public static readonly Counter<long> OutboxPublished = Meter.CreateCounter<long>("monetization.outbox.published", "{event}", "Integration events published from a module's outbox, by outcome.");

    /// <summary>
    /// Duration of one step of an outbox round (issue 22), tag <c>module</c> and <c>step</c>: <c>claim</c> (pick and lease the due
    /// rows, with the previous round's marks in the same write), <c>publish</c> (one row to every consumer), <c>mark</c> (record
    /// delivered rows on their own, when no claim follows).
    /// </summary>
    public static readonly Histogram<double> OutboxStepDuration = Meter.CreateHistogram<double>("monetization.outbox.step.duration", "s", "Duration of one step of an outbox round (claim, publish, mark).");

    /// <summary>Rows claimed per outbox round, tag <c>module</c>.</summary>
    public static readonly Histogram<long> OutboxClaimedRows = Meter.CreateHistogram<long>("monetization.outbox.claimed_rows", "{event}", "Rows claimed by one outbox round.");

    /// <summary><c>monetization.webhooks.delivery_attempts</c> {attempt}: outgoing webhook attempts, by <c>outcome</c> (delivered, failed, gone, no_answer).</summary>
    public static readonly Counter<long> WebhookDeliveryAttempts = Meter.CreateCounter<long>("monetization.webhooks.delivery_attempts", "{attempt}", "Outgoing webhook delivery attempts, by outcome.");

    /// <summary><c>monetization.webhooks.delivery.duration</c> s: one outgoing webhook attempt, request to answer.</summary>
    public static readonly Histogram<double> WebhookDeliveryDuration = Meter.CreateHistogram<double>("monetization.webhooks.delivery.duration", "s", "Duration of one outgoing webhook attempt.");

    /// <summary><c>monetization.stripe.request.duration</c> s: each request to Stripe (retries included), by method, resource, status code or error type.</summary>
    public static readonly Histogram<double> StripeRequestDuration = Meter.CreateHistogram<double>("monetization.stripe.request.duration", "s", "Duration of one request to Stripe, by resource and status code.");

    /// <summary>The W3C <c>traceparent</c> of the current activity, to store with work done later (an outbox row); null without tracing.</summary>
    public static string? CurrentTraceParent() => Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>Starts a span whose parent is a stored <c>traceparent</c> (or the current activity when there is none); null without a listener.</summary>
    public static Activity? StartFrom(string name, ActivityKind kind, string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, out var parent)
            ? Source.StartActivity(name, kind, parent)
            : Source.StartActivity(name, kind);
}
