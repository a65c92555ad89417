using System.ComponentModel.DataAnnotations;

namespace Monetization.Webhooks;

/// <summary>
/// Configuration section <c>Webhooks</c>: outgoing webhooks to the product (issue 18). Defaults follow the issue: a 10 s
/// request timeout, retries with exponential backoff and jitter for 3 days, an endpoint failing for 3 days disabled,
/// a rotated secret still signing for 24 hours, and no loopback, link-local or private targets.
/// </summary>
internal sealed class WebhooksOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Webhooks";

    /// <summary>
    /// <c>Webhooks:AllowPrivateTargets</c>: allow endpoint URLs that are, or resolve to, loopback, link-local, private
    /// (RFC 1918, RFC 4193), carrier-grade NAT or unspecified addresses (default false; tests and single-box setups set it).
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary><c>Webhooks:RequireHttps</c>: only <c>https</c> URLs (default: true outside Development, false in Development).</summary>
    public bool? RequireHttps { get; set; }

    /// <summary><c>Webhooks:RequestTimeoutSeconds</c>: one delivery attempt's whole HTTP exchange (default 10).</summary>
    [Range(1, 120)]
    public int RequestTimeoutSeconds { get; set; } = 10;

    /// <summary><c>Webhooks:RetryHours</c>: how long a delivery is retried after it was created, and how long an endpoint may fail before it is disabled (default 72).</summary>
    [Range(1, 24 * 30)]
    public int RetryHours { get; set; } = 72;

    /// <summary><c>Webhooks:FirstRetrySeconds</c>: the first backoff; each failure doubles it, up to <see cref="MaxRetrySeconds"/>, with ±20 % jitter (default 30).</summary>
    [Range(1, 86_400)]
    public int FirstRetrySeconds { get; set; } = 30;

    /// <summary><c>Webhooks:MaxRetrySeconds</c>: the longest backoff between attempts (default 21,600: six hours).</summary>
    [Range(1, 86_400)]
    public int MaxRetrySeconds { get; set; } = 21_600;

    /// <summary><c>Webhooks:SecretOverlapHours</c>: after a rotation the previous secret signs too, for this long (default 24).</summary>
    [Range(0, 24 * 30)]
    public int SecretOverlapHours { get; set; } = 24;

    /// <summary><c>Webhooks:PollSeconds</c>: how often the delivery worker looks for due deliveries (default 1).</summary>
    [Range(0.05, 3600)]
    public double PollSeconds { get; set; } = 1;

    /// <summary><c>Webhooks:MaxConcurrentDeliveries</c>: requests in flight at once, all endpoints together (default 16).</summary>
    [Range(1, 256)]
    public int MaxConcurrentDeliveries { get; set; } = 16;

    /// <summary><c>Webhooks:MaxConcurrentPerEndpoint</c>: requests in flight to one endpoint, so a slow one holds at most this many slots (default 4).</summary>
    [Range(1, 64)]
    public int MaxConcurrentPerEndpoint { get; set; } = 4;

    /// <summary>Whether URLs must be https, given the environment.</summary>
    public bool HttpsRequired(bool isDevelopment) => RequireHttps ?? !isDevelopment;
}
