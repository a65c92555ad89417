namespace Monetization.Stripe;

/// <summary>
/// Settings of the Stripe client and webhook verification, bound from the <c>Stripe</c> configuration section
/// (keys <c>Stripe:SecretKey</c>, <c>Stripe:ApiBase</c>, <c>Stripe:WebhookSecrets:0..n</c>, <c>Stripe:ApiVersion</c>,
/// <c>Stripe:MaxNetworkRetries</c>, <c>Stripe:TimeoutSeconds</c>, <c>Stripe:WebhookToleranceSeconds</c>,
/// <c>Stripe:RetryAfterSeconds</c>). The one place that decides the retry budget and timeouts of every Stripe call.
/// See docs/stripe-client.md.
/// </summary>
public sealed class StripeOptions
{
    /// <summary>The configuration section name, <c>Stripe</c>.</summary>
    public const string SectionName = "Stripe";

    /// <summary>The default API base address, <c>https://api.stripe.com</c>.</summary>
    public const string DefaultApiBase = "https://api.stripe.com";

    /// <summary>
    /// The API version every call sends and every model binds: the one Stripe.net 53.1.0 pins
    /// (<c>StripeConfiguration.ApiVersion</c>, <c>2026-10-28.endive</c>). Stripe.net cannot send another one.
    /// </summary>
    public static string PinnedApiVersion => global::Stripe.StripeConfiguration.ApiVersion;

    /// <summary>
    /// Secret API key (<c>sk_test_…</c>/<c>sk_live_…</c> or a restricted <c>rk_…</c> key), sent as <c>Authorization: Bearer</c>.
    /// When empty, no key is sent and every call fails with a <see cref="global::Stripe.StripeException"/> (the Host runs the
    /// emulator instead).
    /// </summary>
    public string SecretKey { get; set; } = "";

    /// <summary>
    /// Base address that request paths (<c>/v1/…</c>) are appended to. Any path prefix is kept, so
    /// <c>http://localhost/_stripe</c> sends <c>http://localhost/_stripe/v1/customers</c>. Default <c>https://api.stripe.com</c>.
    /// </summary>
    public string ApiBase { get; set; } = DefaultApiBase;

    /// <summary>
    /// Webhook endpoint secrets (<c>whsec_…</c>). Several may be valid at once while a secret is rolled; a webhook is
    /// accepted when its signature matches any of them.
    /// </summary>
    public IList<string> WebhookSecrets { get; set; } = new List<string>();

    /// <summary>
    /// The <c>Stripe-Version</c> the deployment expects. Default (and only accepted value) <see cref="PinnedApiVersion"/>:
    /// Stripe.net sends the version its models were generated for, so another value stops the Host at start rather than
    /// letting models and payloads disagree.
    /// </summary>
    public string ApiVersion { get; set; } = PinnedApiVersion;

    /// <summary>
    /// How many times Stripe.net retries a call that failed on the network, timed out, or was answered 409, 5xx or
    /// <c>Stripe-Should-Retry: true</c> (so at most <c>1 + MaxNetworkRetries</c> attempts, reusing the idempotency key).
    /// Default 2; 0 disables retries. Stripe.net waits 0.5–5 s between attempts (its own fixed backoff).
    /// </summary>
    public int MaxNetworkRetries { get; set; } = 2;

    /// <summary>Timeout of one HTTP attempt, in seconds. Default 30. A timed-out attempt is retried within the budget.</summary>
    public double TimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Largest allowed distance, in seconds, between a webhook's signed timestamp and now, in the past or the future.
    /// Default 300 (Stripe's default). 0 disables the check.
    /// </summary>
    public int WebhookToleranceSeconds { get; set; } = 300;

    /// <summary>
    /// The <c>Retry-After</c> (seconds) a route answers with when Stripe is unavailable and Stripe did not say how long
    /// to wait (issue 16). Default 5.
    /// </summary>
    public int RetryAfterSeconds { get; set; } = 5;
}
