using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Monetization.BuildingBlocks.Telemetry;

/// <summary>
/// The naming rule of the project's telemetry (issue 18, ADR 0062), and the hook a module uses for its own: a module's
/// <see cref="ActivitySource"/> and <see cref="Meter"/> are both named <c>Monetization.&lt;Module&gt;</c>
/// (<c>Monetization.Webhooks</c>), and its instruments <c>monetization.&lt;module&gt;.*</c> in lower case with
/// OpenTelemetry semantic-convention units (<c>s</c> for durations, <c>{event}</c>-style annotations for counts). The Host
/// subscribes to <see cref="Wildcard"/> for both traces and metrics, so a new module needs no Host change.
/// </summary>
/// <example>
/// <code>
/// // in a module: one singleton per module, created through the DI meter factory (tests can tell containers apart)
/// public sealed class WebhookMetrics(IMeterFactory meters)
/// {
///     private readonly Counter&lt;long&gt; _deliveries = meters.CreateModuleMeter("Webhooks")
///         .CreateCounter&lt;long&gt;("monetization.webhooks.deliveries", "{delivery}", "Outgoing webhook delivery attempts.");
///     public void Delivered(string outcome) =&gt; _deliveries.Add(1, new KeyValuePair&lt;string, object?&gt;(MonetizationTelemetry.OutcomeTag, outcome));
/// }
/// internal static readonly ActivitySource Source = MonetizationTelemetry.CreateModuleSource("Webhooks");
/// </code>
/// </example>
public static class MonetizationTelemetry
{
    /// <summary>Prefix of every source and meter name: <c>Monetization.</c>.</summary>
    public const string Prefix = "Monetization.";

    /// <summary>What the Host passes to <c>AddSource</c> and <c>AddMeter</c>: <c>Monetization.*</c>.</summary>
    public const string Wildcard = Prefix + "*";

    /// <summary>Attribute naming the module a measurement or span belongs to (<c>Subscriptions</c>, <c>Usage</c>, …).</summary>
    public const string ModuleTag = "monetization.module";

    /// <summary>Attribute naming how an operation ended (values listed per instrument in docs/operations.md).</summary>
    public const string OutcomeTag = "monetization.outcome";

    /// <summary>Attribute naming an integration event's wire name (<c>subscriptions.access_changed</c>).</summary>
    public const string EventTypeTag = "monetization.event.type";

    /// <summary>The source and meter name of a module: <c>Monetization.&lt;module&gt;</c>.</summary>
    /// <param name="module">The module's name as it registers (<c>Webhooks</c>).</param>
    public static string NameOf(string module)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(module);
        return Prefix + module;
    }

    /// <summary>
    /// The module's meter from the container's <see cref="IMeterFactory"/> (disposed with the container; a test's
    /// <see cref="MeterListener"/> can tell one Host from another by <see cref="Meter.Scope"/>).
    /// </summary>
    /// <param name="meters">The container's meter factory.</param>
    /// <param name="module">The module's name.</param>
    public static Meter CreateModuleMeter(this IMeterFactory meters, string module)
    {
        ArgumentNullException.ThrowIfNull(meters);
        return meters.Create(NameOf(module));
    }

    /// <summary>The module's activity source (a static of the module is the usual holder: sources are process-wide).</summary>
    /// <param name="module">The module's name.</param>
    public static ActivitySource CreateModuleSource(string module) => new(NameOf(module));

    /// <summary>
    /// The W3C <c>traceparent</c> of the current span (<c>00-&lt;trace-id&gt;-&lt;span-id&gt;-&lt;flags&gt;</c>), or null when no
    /// span is recorded (no listener: then nothing is allocated). The outbox stores it with each row so the consumers'
    /// spans join the trace of the request that raised the event.
    /// </summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>Parses a stored <c>traceparent</c> (W3C Trace Context, section 3.2); default when absent or malformed.</summary>
    /// <param name="traceParent">The header value, or null.</param>
    public static ActivityContext ParentFrom(string? traceParent) =>
        traceParent is { Length: > 0 } && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;

    /// <summary>
    /// Makes <paramref name="activity"/> the current span until the returned scope is disposed (then the previous one is
    /// current again): for work done on behalf of a request by another flow, such as a group-commit writer storing several
    /// requests' events, so what it raises (outbox rows) joins each request's trace. A null or stopped activity changes nothing.
    /// </summary>
    /// <param name="activity">The span the work belongs to (a waiting request's), or null.</param>
    public static CurrentActivityScope Adopt(Activity? activity) => new(activity);

    /// <summary>Restores the previous current span when disposed (see <see cref="Adopt"/>).</summary>
    public readonly struct CurrentActivityScope : IDisposable
    {
        private readonly Activity? _previous;
        private readonly bool _changed;

        internal CurrentActivityScope(Activity? activity)
        {
            _previous = Activity.Current;
            _changed = activity is { IsStopped: false } && !ReferenceEquals(activity, _previous);
            if (_changed)
            {
                Activity.Current = activity;
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (_changed)
            {
                Activity.Current = _previous;
            }
        }
    }
}
