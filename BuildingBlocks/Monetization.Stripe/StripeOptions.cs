namespace Monetization.Stripe;

/// <summary>
/// Settings of the Stripe client and webhook verifier, bound from the <c>Stripe</c> configuration section
/// (keys <c>Stripe:SecretKey</c>, <c>Stripe:ApiBase</c>, <c>Stripe:WebhookSecrets:0..n</c>, <c>Stripe:ApiVersion</c>,
/// <c>Stripe:MaxNetworkRetries</c>, <c>Stripe:TimeoutSeconds</c>, <c>Stripe:WebhookToleranceSeconds</c>,
/// <c>Stripe:RetryBaseDelayMilliseconds</c>, <c>Stripe:RetryMaxDelayMilliseconds</c>). See docs/stripe-client.md.
/// </summary>
public sealed class StripeOptions
{
    /// <summary>The configuration section name, <c>Stripe</c>.</summary>
    public const string SectionName = "Stripe";

    /// <summary>The API version the client pins by default: <c>2026-07-29.dahlia</c>, the version of the reference vectors, samples and fixtures.</summary>
    public const string DefaultApiVersion = "2026-07-29.dahlia";

    /// <summary>The default API base address, <c>https://api.stripe.com</c>.</summary>
    public const string DefaultApiBase = "https://api.stripe.com";

    /// <summary>
    /// Secret API key (<c>sk_test_…</c>/<c>sk_live_…</c> or a restricted <c>rk_…</c> key), sent as <c>Authorization: Bearer</c>.
    /// When empty, no Authorization header is sent (Stripe answers 401, an emulator may accept it).
    /// </summary>
    public string SecretKey { get; set; } = "";

    /// <summary>
    /// Base address that request paths (<c>/v1/…</c>) are appended to. Any path prefix is kept, so
    /// <c>http://localhost/_stripe</c> sends <c>http://localhost/_stripe/v1/customers</c>. Default <c>https://api.stripe.com</c>.
    /// </summary>
    public string ApiBase { get; set; } = DefaultApiBase;

    /// <summary>
    /// Webhook endpoint secrets (<c>whsec_…</c>). Several may be valid at once while a secret is rolled; a webhook is
    /// accepted when any <c>v1</c> signature matches any of them.
    /// </summary>
    public IList<string> WebhookSecrets { get; set; } = new List<string>();

    /// <summary>The <c>Stripe-Version</c> header sent with every request. Default <see cref="DefaultApiVersion"/>.</summary>
    public string ApiVersion { get; set; } = DefaultApiVersion;

    /// <summary>How many times a failed call is retried (so at most <c>1 + MaxNetworkRetries</c> attempts). Default 2; 0 disables retries.</summary>
    public int MaxNetworkRetries { get; set; } = 2;

    /// <summary>Timeout of one HTTP attempt, in seconds. Default 30. A timed-out attempt counts as a connection fault and is retried.</summary>
    public double TimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Largest allowed distance, in seconds, between a webhook's signed timestamp and now, in the past or the future.
    /// Default 300 (Stripe's SDK default). 0 disables the check (as stripe-node does).
    /// </summary>
    public int WebhookToleranceSeconds { get; set; } = 300;

    /// <summary>Base delay of the exponential retry backoff (with jitter), in milliseconds. Default 500.</summary>
    public int RetryBaseDelayMilliseconds { get; set; } = 500;

    /// <summary>Upper bound of one retry delay, in milliseconds. Default 8000.</summary>
    public int RetryMaxDelayMilliseconds { get; set; } = 8000;
}
