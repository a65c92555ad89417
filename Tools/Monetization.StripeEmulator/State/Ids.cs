using System.Security.Cryptography;

namespace Monetization.StripeEmulator.State;

/// <summary>Generates identifiers in Stripe's formats (<c>cus_…</c>, <c>cs_test_…</c>, <c>evt_…</c>).</summary>
internal static class Ids
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string New(string prefix, int length = 24) => prefix + "_" + Random(length);

    public static string CheckoutSession() => "cs_test_a1" + Random(56);

    public static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
