using System.Diagnostics;
using System.Diagnostics.Metrics;
using Monetization.BuildingBlocks.Telemetry;

namespace Monetization.Stripe;

/// <summary>
/// Times and traces every call of the Stripe client (issue 18), under the one Stripe.net <see cref="HttpClient"/>, so Stripe
/// calls are told apart from any other outgoing HTTP and are seen even in emulator mode (where the calls never reach a
/// socket and the HttpClient instrumentation sees nothing). Each attempt (Stripe.net retries count separately) gets a
/// client span <c>stripe {METHOD} {resource}</c> on the <c>Monetization.Stripe</c> source, which also sends a W3C
/// <c>traceparent</c> when the request has none, and two instruments on the <c>Monetization.Stripe</c> meter:
/// <c>monetization.stripe.client.duration</c> (s, histogram) and <c>monetization.stripe.client.errors</c> ({request},
/// counter: a 4xx/5xx answer or a network failure), tagged <c>http.request.method</c>, <c>monetization.stripe.resource</c>
/// (the API path's resource, <c>customers</c>, <c>checkout/sessions</c>: never an id), <c>http.response.status_code</c>
/// and, on failure, <c>error.type</c> (the status code, or the exception's type name).
/// </summary>
public sealed class StripeTelemetryHandler : DelegatingHandler
{
    /// <summary>The activity source and meter name: <c>Monetization.Stripe</c>.</summary>
    public static readonly string Name = MonetizationTelemetry.NameOf("Stripe");

    private static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("monetization.stripe.client.duration", "s", "Duration of one call (one attempt) to the Stripe API.");
    private static readonly Counter<long> Errors = Meter.CreateCounter<long>("monetization.stripe.client.errors", "{request}", "Stripe API calls answered 4xx/5xx or failed on the network.");

    /// <summary>Path namespaces of the Stripe API whose resource is two segments (<c>/v1/checkout/sessions</c>).</summary>
    private static readonly HashSet<string> Namespaces = new(StringComparer.Ordinal)
    {
        "apps", "billing", "billing_portal", "checkout", "climate", "entitlements", "financial_connections", "forwarding", "identity",
        "issuing", "radar", "reporting", "sigma", "tax", "terminal", "test_helpers", "treasury",
    };

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public StripeTelemetryHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var timed = Duration.Enabled || Errors.Enabled;
        if (!timed && !Source.HasListeners())
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var resource = ResourceOf(request.RequestUri);
        var method = request.Method.Method;
        using var activity = Source.StartActivity("stripe " + method + " " + resource, ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag("http.request.method", method);
            activity.SetTag("monetization.stripe.resource", resource);
            activity.SetTag("server.address", request.RequestUri?.Host);
            if (!request.Headers.Contains("traceparent"))
            {
                request.Headers.TryAddWithoutValidation("traceparent", activity.Id);
            }
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            activity?.SetTag("http.response.status_code", status);
            string? error = status >= 400 ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            if (error is not null)
            {
                activity?.SetStatus(ActivityStatusCode.Error);
                activity?.SetTag("error.type", error);
            }

            Record(method, resource, status, error, started);
            return response;
        }
        catch (Exception e)
        {
            var error = e is OperationCanceledException && !cancellationToken.IsCancellationRequested ? "timeout" : e.GetType().Name;
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            activity?.SetTag("error.type", error);
            Record(method, resource, null, error, started);
            throw;
        }
    }

    private static void Record(string method, string resource, int? status, string? error, long started)
    {
        var tags = new TagList
        {
            { "http.request.method", method },
            { "monetization.stripe.resource", resource },
        };
        if (status is { } code)
        {
            tags.Add("http.response.status_code", code);
        }

        if (error is not null)
        {
            tags.Add("error.type", error);
            Errors.Add(1, tags);
        }

        Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    /// <summary>The resource of a Stripe API path: the segment after <c>v1</c> (two in a namespace), never an object id.</summary>
    internal static string ResourceOf(Uri? uri)
    {
        if (uri is null)
        {
            return "unknown";
        }

        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var v1 = Array.FindIndex(segments, s => s is "v1" or "v2");
        if (v1 < 0 || v1 + 1 >= segments.Length)
        {
            return "unknown";
        }

        var first = segments[v1 + 1];
        return Namespaces.Contains(first) && v1 + 2 < segments.Length ? first + "/" + segments[v1 + 2] : first;
    }
}
