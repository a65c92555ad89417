using System.Diagnostics.Metrics;
using Monetization.BuildingBlocks.Telemetry;

namespace Monetization.Subscriptions;

/// <summary>
/// The Subscriptions module's instruments (issue 18), on the meter <c>Monetization.Subscriptions</c>: Stripe webhook intake,
/// <c>monetization.stripe_webhook.requests</c> ({request}, counter) and <c>monetization.stripe_webhook.duration</c> (s,
/// histogram, from the first byte read to the answer), both by <c>monetization.outcome</c>: <c>processed</c>,
/// <c>ignored</c>, <c>failed</c>, <c>duplicate</c> (what the answer's <c>status</c> says), or <c>invalid_signature</c>,
/// <c>malformed_json</c>, <c>payload_too_large</c>, <c>error</c> for a refused or crashed delivery. Nothing is measured, and no
/// timestamp taken, while no listener is attached.
/// </summary>
public sealed class SubscriptionsTelemetry
{
    private readonly Counter<long> _webhooks;
    private readonly Histogram<double> _webhookDuration;

    /// <summary>Creates the instruments on the container's meter factory.</summary>
    public SubscriptionsTelemetry(IMeterFactory meters)
    {
        var meter = meters.CreateModuleMeter("Subscriptions");
        _webhooks = meter.CreateCounter<long>("monetization.stripe_webhook.requests", "{request}", "Stripe webhook deliveries received, by outcome.");
        _webhookDuration = meter.CreateHistogram<double>("monetization.stripe_webhook.duration", "s", "Time to verify, store and process one Stripe webhook delivery.");
    }

    /// <summary>A <see cref="TimeProvider.GetTimestamp"/> to time a delivery with, or 0 when nothing records the duration.</summary>
    internal long Start(TimeProvider clock) => _webhookDuration.Enabled ? clock.GetTimestamp() : 0L;

    /// <summary>Counts one delivery and records its duration (when <paramref name="started"/> is not 0).</summary>
    internal void WebhookReceived(string outcome, TimeProvider clock, long started)
    {
        var tag = new KeyValuePair<string, object?>(MonetizationTelemetry.OutcomeTag, outcome);
        _webhooks.Add(1, tag);
        if (started != 0)
        {
            _webhookDuration.Record(clock.GetElapsedTime(started).TotalSeconds, tag);
        }
    }
}
