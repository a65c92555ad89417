using System.Globalization;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Http;
using StripeNet = global::Stripe;

namespace Monetization.Stripe;

/// <summary>
/// The one rule for every route that calls Stripe (issue 16, part 4). A Stripe failure that reaches the error middleware
/// answers:
/// <list type="bullet">
/// <item>503 <c>stripe_unavailable</c> with <c>Retry-After</c> (Stripe's own header when it sent one, else
/// <see cref="StripeOptions.RetryAfterSeconds"/>) when Stripe is down, timing out or rate limiting: a network failure or
/// timeout (<see cref="StripeConnectionException"/>), HTTP 429, 409 (<c>lock_timeout</c>: another request holds the
/// object) or any 5xx, after Stripe.net's retries;</item>
/// <item>502 <c>stripe_error</c> with Stripe's <c>code</c>, <c>decline_code</c>, <c>param</c> and <c>message</c> when Stripe
/// refuses the request (any other 4xx: invalid parameters, a declined card, a missing object);</item>
/// </list>
/// never 500. A route that has to undo local work catches <see cref="StripeNet.StripeException"/> (every Stripe failure is one),
/// undoes it and rethrows; the answer is the same on every route.
/// </summary>
public sealed class StripeFailureProblems(IOptions<StripeOptions> options) : IExceptionProblemMapper
{
    /// <summary>Problem type of a Stripe outage, rate limit or timeout (503).</summary>
    public const string Unavailable = "stripe_unavailable";

    /// <summary>Problem type of a request Stripe refused (502).</summary>
    public const string Refused = "stripe_error";

    /// <inheritdoc />
    public ProblemException? ToProblem(Exception exception) =>
        exception is StripeNet.StripeException stripe ? ToProblem(stripe, options.Value.RetryAfterSeconds) : null;

    /// <summary>True when the failure is Stripe being unavailable (network, timeout, 409, 429, 5xx), not Stripe refusing the request.</summary>
    /// <param name="exception">A failure from a Stripe.net call.</param>
    public static bool IsUnavailable(StripeNet.StripeException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var status = (int)exception.HttpStatusCode;
        return exception is StripeConnectionException || status == 0 || status == 409 || status == 429 || status >= 500;
    }

    /// <summary>The problem a Stripe failure answers with (see the type's summary).</summary>
    /// <param name="exception">A failure from a Stripe.net call.</param>
    /// <param name="defaultRetryAfterSeconds"><c>Retry-After</c> when Stripe sent none.</param>
    /// <returns>503 <c>stripe_unavailable</c> or 502 <c>stripe_error</c>.</returns>
    public static ProblemException ToProblem(StripeNet.StripeException exception, int defaultRetryAfterSeconds)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var status = (int)exception.HttpStatusCode;
        var error = exception.StripeError;
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["stripe_status"] = status == 0 ? null : status,
            ["stripe_code"] = error?.Code,
            ["stripe_request_id"] = exception.StripeResponse?.RequestId,
        };
        if (IsUnavailable(exception))
        {
            var why = exception switch
            {
                StripeConnectionException { TimedOut: true } => "Stripe did not answer in time",
                StripeConnectionException => "Stripe could not be reached",
                _ when status == 429 => "Stripe is rate limiting this account",
                _ when status == 409 => "Stripe is busy with another request on the same object",
                _ => $"Stripe answered {status}",
            };
            return new ProblemException(503, "Stripe unavailable", $"{why}; nothing was changed, try again later.", Unavailable, extensions: extensions)
            {
                RetryAfterSeconds = RetryAfter(exception) ?? defaultRetryAfterSeconds,
            };
        }

        extensions["stripe_decline_code"] = error?.DeclineCode;
        extensions["stripe_param"] = error?.Param;
        return new ProblemException(502, "Stripe refused the request", error?.Message ?? exception.Message, Refused, extensions: extensions);
    }

    /// <summary>Stripe's <c>Retry-After</c> in seconds (Stripe sends seconds, not dates), or null.</summary>
    private static int? RetryAfter(StripeNet.StripeException exception) =>
        exception.StripeResponse?.Headers?.RetryAfter switch
        {
            { Delta: { } delta } => (int)Math.Ceiling(delta.TotalSeconds),
            _ => exception.StripeResponse?.Headers is { } headers && headers.TryGetValues("Retry-After", out var values)
                && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : null,
        };
}
