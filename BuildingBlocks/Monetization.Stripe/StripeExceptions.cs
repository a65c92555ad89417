namespace Monetization.Stripe;

/// <summary>
/// Base of every error raised by <see cref="IStripeClient"/>: an error response from Stripe (<see cref="HttpStatus"/> set)
/// or a connection fault (<see cref="StripeConnectionException"/>, no status). The concrete type follows stripe-node's
/// status-first mapping: 401 <see cref="StripeAuthenticationException"/>, 403 <see cref="StripePermissionException"/>,
/// 429 (or <c>code=rate_limit</c>) <see cref="StripeRateLimitException"/>, 402 or <c>type=card_error</c>
/// <see cref="StripeCardException"/>, <c>type=idempotency_error</c> <see cref="StripeIdempotencyException"/>,
/// other 4xx <see cref="StripeInvalidRequestException"/>, 5xx and the rest <see cref="StripeApiException"/>.
/// </summary>
public abstract class StripeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Exception message.</param>
    /// <param name="error">Stripe's error object, when the response had one.</param>
    /// <param name="httpStatus">HTTP status of the response, null when there was none.</param>
    /// <param name="requestId">The <c>Request-Id</c> response header.</param>
    /// <param name="shouldRetry">The <c>Stripe-Should-Retry</c> response header, when present.</param>
    /// <param name="innerException">The underlying fault.</param>
    protected StripeException(string message, StripeError? error, int? httpStatus, string? requestId, bool? shouldRetry, Exception? innerException)
        : base(message, innerException)
    {
        Error = error;
        HttpStatus = httpStatus;
        RequestId = requestId;
        ShouldRetry = shouldRetry;
    }

    /// <summary>Stripe's error object, when the response had one.</summary>
    public StripeError? Error { get; }

    /// <summary>HTTP status code of the response; null for connection faults.</summary>
    public int? HttpStatus { get; }

    /// <summary>The error <c>type</c> (<c>card_error</c>, <c>invalid_request_error</c>, <c>api_error</c>, <c>idempotency_error</c>).</summary>
    public string? ErrorType => Error?.Type;

    /// <summary>The error <c>code</c>, e.g. <c>card_declined</c>, <c>resource_missing</c>, <c>lock_timeout</c>.</summary>
    public string? Code => Error?.Code;

    /// <summary>The error <c>decline_code</c> of card errors, e.g. <c>insufficient_funds</c>.</summary>
    public string? DeclineCode => Error?.DeclineCode;

    /// <summary>The error <c>param</c>: the offending request parameter.</summary>
    public string? Param => Error?.Param;

    /// <summary>The error <c>message</c> as Stripe sent it.</summary>
    public string? StripeMessage => Error?.Message;

    /// <summary>The <c>Request-Id</c> response header (<c>req_…</c>); quote it to Stripe support.</summary>
    public string? RequestId { get; }

    /// <summary>The <c>Stripe-Should-Retry</c> response header, when present.</summary>
    public bool? ShouldRetry { get; }

    internal static string Describe(StripeError? error, int? status, string fallback) =>
        error?.Message is { Length: > 0 } m
            ? $"Stripe {status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "error"} {error.Type}{(error.Code is null ? "" : "/" + error.Code)}: {m}"
            : fallback;
}

/// <summary>A card was declined or could not be charged (HTTP 402 or <c>type=card_error</c>); see <see cref="StripeException.DeclineCode"/>.</summary>
public sealed class StripeCardException : StripeException
{
    /// <summary>Creates the exception from an error response.</summary>
    /// <param name="error">Stripe's error object.</param>
    /// <param name="httpStatus">HTTP status (usually 402).</param>
    /// <param name="requestId">The <c>Request-Id</c> header.</param>
    /// <param name="shouldRetry">The <c>Stripe-Should-Retry</c> header.</param>
    public StripeCardException(StripeError? error, int httpStatus, string? requestId = null, bool? shouldRetry = null)
        : base(Describe(error, httpStatus, "Stripe declined the card."), error, httpStatus, requestId, shouldRetry, null)
    {
    }

    /// <summary>The failed charge's id (<c>error.charge</c>), when Stripe sent one.</summary>
    public string? Charge => Error?.Charge;
}

/// <summary>The request was invalid (HTTP 400/404/409 etc. with <c>type=invalid_request_error</c>): missing or bad parameters, unknown object.</summary>
public sealed class StripeInvalidRequestException : StripeException
{
    /// <summary>Creates the exception from an error response.</summary>
    /// <param name="error">Stripe's error object.</param>
    /// <param name="httpStatus">HTTP status.</param>
    /// <param name="requestId">The <c>Request-Id</c> header.</param>
    /// <param name="shouldRetry">The <c>Stripe-Should-Retry</c> header.</param>
    public StripeInvalidRequestException(StripeError? error, int httpStatus, string? requestId = null, bool? shouldRetry = null)
        : base(Describe(error, httpStatus, $"Stripe rejected the request (HTTP {httpStatus})."), error, httpStatus, requestId, shouldRetry, null)
    {
    }
}

/// <summary>The API key is missing or invalid (HTTP 401).</summary>
public sealed class StripeAuthenticationException : StripeException
{
    /// <summary>Creates the exception from an error response.</summary>
    /// <param name="error">Stripe's error object.</param>
    /// <param name="httpStatus">HTTP status (401).</param>
    /// <param name="requestId">The <c>Request-Id</c> header.</param>
    /// <param name="shouldRetry">The <c>Stripe-Should-Retry</c> header.</param>
    public StripeAuthenticationException(StripeError? error, int httpStatus, string? requestId = null, bool? shouldRetry = null)
        : base(Describe(error, httpStatus, "Stripe rejected the API key (HTTP 401)."), error, httpStatus, requestId, shouldRetry, null)
    {
    }
}

/// <summary>The API key lacks permission for the call (HTTP 403).</summary>
public sealed class StripePermissionException : StripeException
{
    /// <summary>Creates the exception from an error response.</summary>
    /// <param name="error">Stripe's error object.</param>
    /// <param name="httpStatus">HTTP status (403).</param>
    /// <param name="requestId">The <c>Request-Id</c> header.</param>
    /// <param name="shouldRetry">The <c>Stripe-Should-Retry</c> header.</param>
    public StripePermissionException(StripeError? error, int httpStatus, string? requestId = null, bool? shouldRetry = null)
        : base(Describe(error, httpStatus, "The Stripe API key lacks permission (HTTP 403)."), error, httpStatus, requestId, shouldRetry, null)
    {
    }
}

/// <summary>Too many requests (HTTP 429, or 400 with <c>code=rate_limit</c>). Retried with backoff before it surfaces.</summary>
public sealed class StripeRateLimitException : StripeException
{
    /// <summary>Creates the exception from an error response.</summary>
    /// <param name="error">Stripe's error object.</param>
    /// <param name="httpStatus">HTTP status (429).</param>
    /// <param name="requestId">The <c>Request-Id</c> header.</param>
    /// <param name="shouldRetry">The <c>Stripe-Should-Retry</c> header.</param>
    public StripeRateLimitException(StripeError? error, int httpStatus, string? requestId = null, bool? shouldRetry = null)
        : base(Describe(error, httpStatus, "Stripe rate limit exceeded (HTTP 429)."), error, httpStatus, requestId, shouldRetry, null)
    {
    }
}

/// <summary>
/// An <c>Idempotency-Key</c> was reused with different parameters or on another endpoint (<c>type=idempotency_error</c>,
/// docs.stripe.com/idempotency).
/// </summary>
public sealed class StripeIdempotencyException : StripeException
{
    /// <summary>Creates the exception from an error response.</summary>
    /// <param name="error">Stripe's error object.</param>
    /// <param name="httpStatus">HTTP status (usually 400).</param>
    /// <param name="requestId">The <c>Request-Id</c> header.</param>
    /// <param name="shouldRetry">The <c>Stripe-Should-Retry</c> header.</param>
    public StripeIdempotencyException(StripeError? error, int httpStatus, string? requestId = null, bool? shouldRetry = null)
        : base(Describe(error, httpStatus, "Stripe rejected the idempotency key."), error, httpStatus, requestId, shouldRetry, null)
    {
    }
}

/// <summary>Stripe failed (HTTP 5xx, <c>type=api_error</c>) or answered with an unexpected status or body. 5xx is retried before it surfaces.</summary>
public sealed class StripeApiException : StripeException
{
    /// <summary>Creates the exception from an error response.</summary>
    /// <param name="error">Stripe's error object, if the body had one.</param>
    /// <param name="httpStatus">HTTP status.</param>
    /// <param name="requestId">The <c>Request-Id</c> header.</param>
    /// <param name="shouldRetry">The <c>Stripe-Should-Retry</c> header.</param>
    /// <param name="innerException">A parse failure of the response body, if any.</param>
    public StripeApiException(StripeError? error, int httpStatus, string? requestId = null, bool? shouldRetry = null, Exception? innerException = null)
        : base(Describe(error, httpStatus, $"Stripe API error (HTTP {httpStatus})."), error, httpStatus, requestId, shouldRetry, innerException)
    {
    }
}

/// <summary>
/// No response was received: DNS/TCP/TLS failure, connection reset, or the attempt exceeded <c>Stripe:TimeoutSeconds</c>.
/// Raised after the retries are used up. The call may or may not have reached Stripe; a POST can be repeated safely
/// with the same <c>Idempotency-Key</c>.
/// </summary>
public sealed class StripeConnectionException : StripeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The underlying network or timeout fault.</param>
    public StripeConnectionException(string message, Exception? innerException = null)
        : base(message, null, null, null, null, innerException)
    {
    }
}
