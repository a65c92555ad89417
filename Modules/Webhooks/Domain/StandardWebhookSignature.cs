using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Monetization.Webhooks.Domain;

/// <summary>
/// Signing as the Standard Webhooks specification says (standardwebhooks.com, "Signature scheme"): the signed content is
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c>, the key is the base64 part of a <c>whsec_</c> secret, the signature is
/// <c>v1,</c> + base64 of its HMAC-SHA256; several signatures (a rotation) are separated by spaces in
/// <c>webhook-signature</c>. A receiver verifies with any Standard Webhooks (or Svix) library.
/// </summary>
public static class StandardWebhookSignature
{
    /// <summary>The secret prefix.</summary>
    public const string SecretPrefix = "whsec_";

    /// <summary>A new secret: <c>whsec_</c> + base64 of 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The <c>v1,…</c> signature of one message.</summary>
    /// <param name="secret">A <c>whsec_</c> secret (the prefix is optional, as in the reference libraries).</param>
    /// <param name="messageId">The <c>webhook-id</c>.</param>
    /// <param name="timestamp">The <c>webhook-timestamp</c>, Unix seconds.</param>
    /// <param name="body">The exact body sent.</param>
    /// <exception cref="FormatException">The secret is not base64.</exception>
    public static string Sign(string secret, string messageId, long timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        var content = Encoding.UTF8.GetBytes($"{messageId}.{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>The <c>webhook-signature</c> header: one signature per secret, space-separated.</summary>
    public static string Header(IEnumerable<string> secrets, string messageId, long timestamp, string body) =>
        string.Join(' ', secrets.Select(s => Sign(s, messageId, timestamp, body)));

    /// <summary>
    /// Whether <paramref name="header"/> holds a valid signature by <paramref name="secret"/> (constant-time compare); what a
    /// receiver does, used by the tests and shown in the docs.
    /// </summary>
    public static bool Verify(string secret, string messageId, long timestamp, string body, string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var expected = Encoding.ASCII.GetBytes(Sign(secret, messageId, timestamp, body));
        return header.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), expected));
    }
}
