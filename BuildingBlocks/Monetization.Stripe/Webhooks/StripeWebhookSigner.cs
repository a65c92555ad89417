using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Monetization.Stripe;

/// <summary>
/// Computes <c>Stripe-Signature</c> values the way Stripe does (docs.stripe.com/webhooks/signature; Stripe.net
/// <c>EventUtility.ComputeSignature</c>): lower-case hex HMAC-SHA256 of <c>"{t}.{raw body}"</c>, keyed with the UTF-8 bytes of the
/// whole <c>whsec_…</c> secret. Used by tests and the TestKit to sign events.
/// </summary>
public static class StripeWebhookSigner
{
    /// <summary>Builds a header <c>t={unix seconds},v1={hex}</c> for <paramref name="body"/>.</summary>
    /// <param name="body">The exact body bytes that will be delivered.</param>
    /// <param name="secret">The endpoint secret, including the <c>whsec_</c> prefix.</param>
    /// <param name="timestamp">The signing time (sent as unix seconds).</param>
    /// <returns>The header value.</returns>
    public static string ComputeSignatureHeader(ReadOnlySpan<byte> body, string secret, DateTimeOffset timestamp)
    {
        var t = timestamp.ToUnixTimeSeconds();
        return $"t={t.ToString(CultureInfo.InvariantCulture)},v1={ComputeSignature(body, secret, t)}";
    }

    /// <summary>The <c>v1</c> signature: lower-case hex HMAC-SHA256 of <c>"{timestamp}.{body}"</c>.</summary>
    /// <param name="body">The exact body bytes.</param>
    /// <param name="secret">The endpoint secret, including the <c>whsec_</c> prefix.</param>
    /// <param name="unixTimestamp">The <c>t</c> value, unix seconds.</param>
    /// <returns>64 lower-case hex characters.</returns>
    public static string ComputeSignature(ReadOnlySpan<byte> body, string secret, long unixTimestamp)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(body, Encoding.UTF8.GetBytes(secret), unixTimestamp, mac);
        return Convert.ToHexStringLower(mac);
    }

    internal static void ComputeMac(ReadOnlySpan<byte> body, byte[] key, long unixTimestamp, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.ASCII.GetBytes(unixTimestamp.ToString(CultureInfo.InvariantCulture) + "."));
        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
    }
}
