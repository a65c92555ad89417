using System.Globalization;
using Microsoft.Extensions.Options;
using StripeNet = global::Stripe;

namespace Monetization.Stripe;

/// <summary>
/// Checks the <c>Stripe-Signature</c> header of a webhook with Stripe.net's <see cref="StripeNet.EventUtility.ValidateSignature(string, string, string, long, long)"/>
/// against each configured secret (<see cref="StripeOptions.WebhookSecrets"/>, several while a secret is rolled) within
/// <see cref="StripeOptions.WebhookToleranceSeconds"/> of the injected clock, and says why a webhook is rejected
/// (<see cref="StripeSignatureFailureReason"/>): Stripe.net throws a <see cref="NullReferenceException"/> for a missing
/// header and the same bare <see cref="StripeNet.StripeException"/> for every other failure, so the header's shape is checked
/// here first and a failed match is told apart from a stale timestamp by checking again without the tolerance.
/// </summary>
public sealed class StripeWebhookSignature
{
    private readonly string[] _secrets;
    private readonly int _toleranceSeconds;
    private readonly TimeProvider _clock;

    /// <summary>Creates the checker from <see cref="StripeOptions"/> and the clock the tolerance is measured on.</summary>
    public StripeWebhookSignature(IOptions<StripeOptions> options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        _secrets = options.Value.WebhookSecrets.Where(s => !string.IsNullOrEmpty(s)).ToArray();
        _toleranceSeconds = options.Value.WebhookToleranceSeconds;
        _clock = clock;
    }

    /// <summary>Throws unless <paramref name="payload"/> is signed by one of the secrets within the tolerance.</summary>
    /// <param name="payload">The raw body as received, UTF-8 decoded (the signature covers these exact characters).</param>
    /// <param name="signatureHeader">The <c>Stripe-Signature</c> header: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256&gt;[,v1=…]</c>.</param>
    /// <exception cref="StripeSignatureVerificationException">Rejected; <see cref="StripeSignatureVerificationException.Reason"/> says why.</exception>
    public void Verify(string payload, string? signatureHeader)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            throw new StripeSignatureVerificationException(StripeSignatureFailureReason.MissingHeader, "The Stripe-Signature header is missing.");
        }

        if (_secrets.Length == 0)
        {
            throw new StripeSignatureVerificationException(StripeSignatureFailureReason.NoSecretConfigured, "No webhook secret is configured (Stripe:WebhookSecrets).");
        }

        var timestamp = ParseHeader(signatureHeader);
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();

        // Tolerance 0 means "no check" here; Stripe.net would read it as "the same second", so it is checked at the signed time.
        var checkedAt = _toleranceSeconds == 0 ? timestamp : now;
        if (Matches(payload, signatureHeader, _toleranceSeconds, checkedAt))
        {
            return;
        }

        if (_toleranceSeconds > 0 && Matches(payload, signatureHeader, 0, timestamp))
        {
            throw new StripeSignatureVerificationException(
                StripeSignatureFailureReason.TimestampOutsideTolerance,
                $"The signature timestamp {timestamp} is more than {_toleranceSeconds} s away from now ({now}).");
        }

        throw new StripeSignatureVerificationException(
            StripeSignatureFailureReason.NoMatchingSignature,
            "No v1 signature matches the expected signature for the payload; check the secret and that the raw body is passed.");
    }

    private bool Matches(string payload, string header, long tolerance, long utcNow)
    {
        foreach (var secret in _secrets)
        {
            try
            {
                StripeNet.EventUtility.ValidateSignature(payload, header, secret, tolerance, utcNow);
                return true;
            }
            catch (StripeNet.StripeException)
            {
                // Not this secret (or outside the tolerance); try the next.
            }
        }

        return false;
    }

    /// <summary>The header's <c>t=</c>, after checking it has one and at least one <c>v1=</c> (the shapes Stripe.net cannot tell apart).</summary>
    private static long ParseHeader(string header)
    {
        long? timestamp = null;
        var hasV1 = false;
        foreach (var part in header.Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var key = part.AsSpan(0, eq).Trim();
            var value = part.AsSpan(eq + 1).Trim();
            if (key is "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp ??= t;
            }
            else if (key is "v1" && !value.IsEmpty)
            {
                hasV1 = true;
            }
        }

        if (timestamp is null)
        {
            throw new StripeSignatureVerificationException(StripeSignatureFailureReason.MissingTimestamp, "Unable to extract the timestamp (t=) from the Stripe-Signature header.");
        }

        if (!hasV1)
        {
            throw new StripeSignatureVerificationException(StripeSignatureFailureReason.NoV1Signature, "No v1 signature found in the Stripe-Signature header.");
        }

        return timestamp.Value;
    }
}
