using System.Net;
using StripeNet = global::Stripe;

namespace Monetization.Stripe;

/// <summary>
/// Stripe could not be reached: the network failed or every attempt timed out, after Stripe.net's retries
/// (<see cref="StripeOptions.MaxNetworkRetries"/>). Raised instead of the <see cref="HttpRequestException"/> or
/// <see cref="TaskCanceledException"/> Stripe.net lets through, so a <c>catch (StripeException)</c> sees every Stripe
/// failure. <see cref="StripeNet.StripeException.HttpStatusCode"/> is 0 and <see cref="StripeNet.StripeException.StripeError"/> null.
/// </summary>
public sealed class StripeConnectionException : StripeNet.StripeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The network failure or timeout.</param>
    public StripeConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
        HttpStatusCode = 0;
    }

    /// <summary>Creates the exception.</summary>
    public StripeConnectionException()
        : this("Stripe could not be reached.", new HttpRequestException("Stripe could not be reached."))
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    public StripeConnectionException(string message)
        : this(message, new HttpRequestException(message))
    {
    }

    /// <summary>True when every attempt timed out (rather than failing on the network).</summary>
    public bool TimedOut => InnerException is TaskCanceledException or TimeoutException;
}

/// <summary>
/// Stripe.net's <see cref="StripeNet.SystemNetHttpClient"/> (retries, idempotency keys, telemetry off) with its final network
/// failure turned into <see cref="StripeConnectionException"/>; a cancelled call stays an <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class ConnectionFailureHttpClient(StripeNet.IHttpClient inner) : StripeNet.IHttpClient
{
    public async Task<StripeNet.StripeResponse> MakeRequestAsync(StripeNet.StripeRequest request, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.MakeRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConnectionFailure(e, cancellationToken))
        {
            throw Wrap(request, e);
        }
    }

    public async Task<StripeNet.StripeStreamedResponse> MakeStreamingRequestAsync(StripeNet.StripeRequest request, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.MakeStreamingRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConnectionFailure(e, cancellationToken))
        {
            throw Wrap(request, e);
        }
    }

    private static bool IsConnectionFailure(Exception e, CancellationToken ct) =>
        !ct.IsCancellationRequested && e is HttpRequestException or OperationCanceledException or IOException or TimeoutException;

    private static StripeConnectionException Wrap(StripeNet.StripeRequest request, Exception e) =>
        new(e is OperationCanceledException or TimeoutException
            ? $"Stripe did not answer {request.Method} {request.Uri.AbsolutePath} in time: {e.Message}"
            : $"Stripe could not be reached for {request.Method} {request.Uri.AbsolutePath}: {e.Message}", e);
}
