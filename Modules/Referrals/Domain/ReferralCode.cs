using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Monetization.Referrals.Domain;

/// <summary>
/// Referral codes: 8 characters drawn uniformly from 31 upper-case letters and digits without look-alikes (no
/// <c>0/O</c>, no <c>1/I/L</c>), about 2^39.6 codes. Matched case-insensitively (the issue), after trimming.
/// </summary>
internal static class ReferralCode
{
    /// <summary>The code alphabet.</summary>
    public const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    /// <summary>Characters in a code.</summary>
    public const int Length = 8;

    /// <summary>A new random code (uniqueness is checked by the caller against the database).</summary>
    public static string New() => RandomNumberGenerator.GetString(Alphabet, Length);

    /// <summary>Normalises what a user typed (trim, upper-case) and checks it has the shape of a code.</summary>
    public static bool TryNormalize(string? text, [NotNullWhen(true)] out string? code)
    {
        code = null;
        if (text is null)
        {
            return false;
        }

        var candidate = text.Trim().ToUpperInvariant();
        if (candidate.Length != Length || candidate.AsSpan().IndexOfAnyExcept(Alphabet) >= 0)
        {
            return false;
        }

        code = candidate;
        return true;
    }
}
