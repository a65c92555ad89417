using System.Diagnostics;
using Monetization.BuildingBlocks.Telemetry;

namespace Monetization.Stripe;

/// <summary>
/// Measures every request to Stripe (or the emulator) under Stripe.net, each retry included:
/// <c>monetization.stripe.request.duration</c> (s) by <c>http.request.method</c>, <c>stripe.resource</c> (the path's first
/// two segments, <c>/v1/customers</c>), <c>http.response.status_code</c> and, for a request without an answer,
/// <c>error.type</c>; errors are the 4xx/5xx and unanswered ones. It works whatever the handler underneath (sockets, the
/// in-process emulator), which the runtime's own <c>http.client.*</c> metrics do not (issue 18). When spans are recorded,
/// each request is also a client span <c>stripe {METHOD} {resource}</c> on <see cref="MonetizationTelemetry.Source"/> with the
/// same attributes: in emulator mode the calls never reach a socket, so the HttpClient instrumentation records nothing and
/// this span is what shows a Stripe call in the trace; against Stripe, the HttpClient span is its child.
/// </summary>
internal sealed class StripeCallTelemetry(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var measured = MonetizationTelemetry.StripeRequestDuration.Enabled;
        if (!measured && !MonetizationTelemetry.Source.HasListeners())
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var started = Stopwatch.GetTimestamp();
        var resource = Resource(request.RequestUri);
        var tags = new TagList
        {
            { "http.request.method", request.Method.Method },
            { "stripe.resource", resource },
        };
        using var activity = MonetizationTelemetry.Source.StartActivity("stripe " + request.Method.Method + " " + resource, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("http.request.method", request.Method.Method);
            activity.SetTag("stripe.resource", resource);
            activity.SetTag("server.address", request.RequestUri?.Host);
        }

        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            tags.Add("http.response.status_code", (int)response.StatusCode);
            activity?.SetTag("http.response.status_code", (int)response.StatusCode);
            if ((int)response.StatusCode >= 400)
            {
                activity?.SetStatus(ActivityStatusCode.Error);
            }

            if (measured)
            {
                MonetizationTelemetry.StripeRequestDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
            }

            return response;
        }
        catch (Exception e)
        {
            tags.Add("error.type", e.GetType().Name);
            activity?.SetTag("error.type", e.GetType().Name);
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            if (measured)
            {
                MonetizationTelemetry.StripeRequestDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
            }

            throw;
        }
    }

    /// <summary>The first two path segments (<c>/v1/customers</c>): ids never become tag values.</summary>
    private static string Resource(Uri? uri)
    {
        var segments = uri?.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var tail = segments.SkipWhile(s => s != "v1").Take(2).ToArray();
        return tail.Length == 0 ? "/" : "/" + string.Join('/', tail);
    }
}
