using System.Security.Cryptography;

namespace Monetization.BuildingBlocks.Billing;

/// <summary>
/// Our own identifiers: a short type prefix, an underscore and 24 characters of base-62 randomness (about 142 bits),
/// e.g. <c>plg_3kT9…</c>, in the style of Stripe's ids. Stripe's ids are stored as Stripe gives them.
/// </summary>
public static class PrefixedId
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Length of the random part.</summary>
    public const int RandomLength = 24;

    /// <summary>A new id with the given prefix (without the underscore), e.g. <c>New("plg")</c>.</summary>
    /// <exception cref="ArgumentException">The prefix is empty or not lowercase ASCII letters.</exception>
    public static string New(string prefix)
    {
        if (string.IsNullOrEmpty(prefix) || !prefix.All(char.IsAsciiLetterLower))
        {
            throw new ArgumentException("An id prefix is lowercase ASCII letters.", nameof(prefix));
        }

        return string.Create(prefix.Length + 1 + RandomLength, prefix, static (span, p) =>
        {
            p.AsSpan().CopyTo(span);
            span[p.Length] = '_';
            RandomNumberGenerator.GetItems(Alphabet, span[(p.Length + 1)..]);
        });
    }

    /// <summary>True when <paramref name="id"/> has the prefix and a random part of base-62 characters.</summary>
    public static bool IsValid(string? id, string prefix) =>
        id is not null
        && id.Length == prefix.Length + 1 + RandomLength
        && id.StartsWith(prefix + "_", StringComparison.Ordinal)
        && id.AsSpan(prefix.Length + 1).IndexOfAnyExcept(Alphabet) < 0;
}
