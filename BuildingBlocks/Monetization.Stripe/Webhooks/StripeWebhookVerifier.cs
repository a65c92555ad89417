using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Monetization.Stripe.Internal;

namespace Monetization.Stripe;

/// <summary>
/// Verifies Stripe webhook deliveries (docs.stripe.com/webhooks/signature, ENDPOINTS.md §4): parses <c>t=</c> and every
/// <c>v1=</c> of <c>Stripe-Signature</c> (other schemes such as <c>v0</c> are ignored), computes HMAC-SHA256 over
/// <c>"{t}.{raw body}"</c> with each configured <c>Stripe:WebhookSecrets</c> entry (UTF-8 of the whole <c>whsec_…</c> string),
/// compares in constant time, and rejects timestamps more than <c>Stripe:WebhookToleranceSeconds</c> (default 300) away from
/// the injected clock, in the past or the future (0 disables the check, as in stripe-node). Thread-safe.
/// </summary>
public sealed class StripeWebhookVerifier
{
    private readonly byte[][] _keys;
    private readonly int _toleranceSeconds;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the verifier.</summary>
    /// <param name="options">Secrets and tolerance.</param>
    /// <param name="timeProvider">The clock for the tolerance check.</param>
    public StripeWebhookVerifier(IOptions<StripeOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _keys = options.Value.WebhookSecrets.Where(s => !string.IsNullOrEmpty(s)).Select(Encoding.UTF8.GetBytes).ToArray();
        _toleranceSeconds = options.Value.WebhookToleranceSeconds;
        _timeProvider = timeProvider;
    }

    /// <summary>Verifies the signature and parses the event.</summary>
    /// <param name="body">The raw request body bytes, exactly as received (do not re-serialise).</param>
    /// <param name="signatureHeader">The <c>Stripe-Signature</c> header value.</param>
    /// <returns>The parsed event.</returns>
    /// <exception cref="StripeSignatureVerificationException">The header is missing or malformed, no signature matches, the timestamp is outside the tolerance, or the body is not an event.</exception>
    public StripeEvent Verify(ReadOnlySpan<byte> body, string? signatureHeader)
    {
        VerifySignature(body, signatureHeader);
        try
        {
            return StripeJson.Deserialize<StripeEvent>(body);
        }
        catch (JsonException ex)
        {
            throw new StripeSignatureVerificationException(StripeSignatureFailureReason.InvalidPayload, "The signed body is not a Stripe event: " + ex.Message, ex);
        }
    }

    /// <summary>Verifies the signature only, without parsing the body.</summary>
    /// <param name="body">The raw request body bytes.</param>
    /// <param name="signatureHeader">The <c>Stripe-Signature</c> header value.</param>
    /// <exception cref="StripeSignatureVerificationException">Verification failed; see <see cref="StripeSignatureVerificationException.Reason"/>.</exception>
    public void VerifySignature(ReadOnlySpan<byte> body, string? signatureHeader)
    {
        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            throw Fail(StripeSignatureFailureReason.MissingHeader, "The Stripe-Signature header is missing.");
        }

        if (_keys.Length == 0)
        {
            throw Fail(StripeSignatureFailureReason.NoSecretConfigured, "No webhook secret is configured (Stripe:WebhookSecrets).");
        }

        long? timestamp = null;
        var signatures = new List<byte[]>();
        foreach (var part in signatureHeader.Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var key = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            if (key == "t")
            {
                if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
                {
                    timestamp = t;
                }
            }
            else if (key == "v1")
            {
                // Keep the hex text: comparing ASCII bytes in constant time avoids a parse step that could leak length/format.
                signatures.Add(Encoding.ASCII.GetBytes(value));
            }
        }

        if (timestamp is null)
        {
            throw Fail(StripeSignatureFailureReason.MissingTimestamp, "Unable to extract the timestamp (t=) from the Stripe-Signature header.");
        }

        if (signatures.Count == 0)
        {
            throw Fail(StripeSignatureFailureReason.NoV1Signature, "No v1 signature found in the Stripe-Signature header.");
        }

        var matched = false;
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Span<byte> hex = stackalloc byte[HMACSHA256.HashSizeInBytes * 2];
        foreach (var key in _keys)
        {
            StripeWebhookSigner.ComputeMac(body, key, timestamp.Value, mac);
            Convert.TryToHexStringLower(mac, hex, out _);
            foreach (var candidate in signatures)
            {
                matched |= CryptographicOperations.FixedTimeEquals(hex, candidate);
            }
        }

        if (!matched)
        {
            throw Fail(StripeSignatureFailureReason.NoMatchingSignature, "No v1 signature matches the expected signature for the payload; check the secret and that the raw body is passed.");
        }

        if (_toleranceSeconds > 0)
        {
            var now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
            if (Math.Abs(now - timestamp.Value) > _toleranceSeconds)
            {
                throw Fail(StripeSignatureFailureReason.TimestampOutsideTolerance, $"The signature timestamp {timestamp} is more than {_toleranceSeconds} s away from now ({now}).");
            }
        }
    }

    private static StripeSignatureVerificationException Fail(StripeSignatureFailureReason reason, string message) => new(reason, message);
}
