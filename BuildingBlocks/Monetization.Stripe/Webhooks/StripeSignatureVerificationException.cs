namespace Monetization.Stripe;

/// <summary>Why a webhook was rejected by <see cref="StripeWebhookSignature"/>.</summary>
public enum StripeSignatureFailureReason
{
    /// <summary>No <c>Stripe-Signature</c> header.</summary>
    MissingHeader,

    /// <summary>The header has no valid <c>t=</c> timestamp.</summary>
    MissingTimestamp,

    /// <summary>The header has no <c>v1=</c> entry (other schemes such as <c>v0</c> are ignored).</summary>
    NoV1Signature,

    /// <summary>No <c>v1</c> signature matches any configured secret: wrong secret, altered body or altered timestamp.</summary>
    NoMatchingSignature,

    /// <summary>The timestamp is further than the tolerance from now, in the past or the future.</summary>
    TimestampOutsideTolerance,

    /// <summary><c>Stripe:WebhookSecrets</c> is empty.</summary>
    NoSecretConfigured,
}

/// <summary>A webhook failed verification; answer it with HTTP 400. <see cref="Reason"/> says why.</summary>
public sealed class StripeSignatureVerificationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why verification failed.</param>
    /// <param name="message">Details.</param>
    /// <param name="innerException">Underlying fault, if any.</param>
    public StripeSignatureVerificationException(StripeSignatureFailureReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>Why verification failed.</summary>
    public StripeSignatureFailureReason Reason { get; }
}
