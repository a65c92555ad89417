using System.Diagnostics.Metrics;
using Monetization.BuildingBlocks.Telemetry;

namespace Monetization.Usage;

/// <summary>
/// The Usage module's instruments (issue 18), on the meter <c>Monetization.Usage</c>:
/// <c>monetization.usage.events_ingested</c> ({event}, counter) by <c>monetization.outcome</c> = <c>accepted</c> (stored)
/// or <c>duplicate</c> (an event id already stored or repeated in the batch; not stored again). Batches of the API and of
/// the LiteLLM integration both count here. Nothing is measured while no listener is attached.
/// </summary>
public sealed class UsageTelemetry
{
    private static readonly KeyValuePair<string, object?> Accepted = new(MonetizationTelemetry.OutcomeTag, "accepted");
    private static readonly KeyValuePair<string, object?> Duplicate = new(MonetizationTelemetry.OutcomeTag, "duplicate");
    private readonly Counter<long> _ingested;

    /// <summary>Creates the instrument on the container's meter factory.</summary>
    public UsageTelemetry(IMeterFactory meters) =>
        _ingested = meters.CreateModuleMeter("Usage").CreateCounter<long>("monetization.usage.events_ingested", "{event}", "Usage events ingested, by outcome.");

    /// <summary>Counts one batch's stored and duplicate events.</summary>
    internal void Ingested(int accepted, int duplicates)
    {
        if (!_ingested.Enabled)
        {
            return;
        }

        if (accepted > 0)
        {
            _ingested.Add(accepted, Accepted);
        }

        if (duplicates > 0)
        {
            _ingested.Add(duplicates, Duplicate);
        }
    }
}
