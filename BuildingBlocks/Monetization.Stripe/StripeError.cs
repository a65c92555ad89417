namespace Monetization.Stripe;

/// <summary>
/// Stripe's error object (the <c>error</c> member of an error response; spec schema <c>api_errors</c>,
/// docs.stripe.com/api/errors).
/// </summary>
public sealed class StripeError
{
    /// <summary>
    /// Error type. Known values: <c>api_error</c>, <c>card_error</c>, <c>idempotency_error</c>, <c>invalid_request_error</c>
    /// (older/other values are kept as sent).
    /// </summary>
    public string? Type { get; init; }

    /// <summary>Short machine code, e.g. <c>card_declined</c>, <c>resource_missing</c>, <c>parameter_missing</c>, <c>lock_timeout</c>, <c>rate_limit</c>.</summary>
    public string? Code { get; init; }

    /// <summary>For card errors: the issuer's reason, e.g. <c>insufficient_funds</c>.</summary>
    public string? DeclineCode { get; init; }

    /// <summary>Human-readable message (English; not meant for end users of card errors other than <c>card_error</c>).</summary>
    public string? Message { get; init; }

    /// <summary>The request parameter the error relates to, e.g. <c>account</c>.</summary>
    public string? Param { get; init; }

    /// <summary>Link to the error code's documentation.</summary>
    public string? DocUrl { get; init; }

    /// <summary>Dashboard link to the request log.</summary>
    public string? RequestLogUrl { get; init; }

    /// <summary>For card errors: the id of the failed charge (<c>ch_…</c>).</summary>
    public string? Charge { get; init; }
}
