using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Monetization.StripeEmulator.Webhooks;

/// <summary>Stripe's webhook signature: <c>t={unix},v1={hex HMAC-SHA256("{t}.{body}", key = whole whsec string)}</c>.</summary>
internal static class Signature
{
    public static string Header(string secret, long timestamp, string body)
    {
        var t = timestamp.ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(t + "." + body));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    public static string NewSecret() => "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}
