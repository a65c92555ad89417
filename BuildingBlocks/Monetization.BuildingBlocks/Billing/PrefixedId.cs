using System.Buffers;
using System.Security.Cryptography;
using FluentValidation;

namespace Monetization.BuildingBlocks.Billing;

/// <summary>
/// Our own identifiers: a short type prefix, an underscore and 24 characters of base-62 randomness (about 142 bits),
/// e.g. <c>plg_3kT9…</c>, in the style of Stripe's ids. Stripe's ids are stored as Stripe gives them. The one rule for such an
/// id in a route or body (issue 21) is <see cref="MustBeIdOf{T}"/>: its prefix, then letters, digits or <c>_</c>, at most
/// <see cref="MaxLength"/> characters in all; ids the product supplies (user and developer ids) follow <see cref="UserIds"/>.
/// </summary>
public static class PrefixedId
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Length of the random part.</summary>
    public const int RandomLength = 24;

    /// <summary>Longest id accepted in a request (ours are far shorter; the margin keeps ids of other shapes readable as 404s).</summary>
    public const int MaxLength = 64;

    private static readonly SearchValues<char> IdCharacters = SearchValues.Create(Alphabet + "_");

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

    /// <summary>
    /// The validation rule for one of our ids in a request: <paramref name="prefix"/>, an underscore, then 1 or more
    /// letters, digits or underscores, at most <see cref="MaxLength"/> characters; otherwise a 422 naming the field.
    /// </summary>
    /// <param name="rule">The field's rule.</param>
    /// <param name="prefix">The id's prefix without the underscore (<c>we</c>, <c>uin</c>).</param>
    /// <param name="what">What the id names, for the message (<c>webhook endpoint</c>).</param>
    public static IRuleBuilderOptions<T, string?> MustBeIdOf<T>(this IRuleBuilder<T, string?> rule, string prefix, string what) =>
        rule.Must(id => IsWellFormed(id, prefix)).WithMessage($"id must be a {what} id ({prefix}_ then letters, digits or _, at most {MaxLength} characters).");

    private static bool IsWellFormed(string? id, string prefix) =>
        id is not null
        && id.Length > prefix.Length + 1 && id.Length <= MaxLength
        && id.StartsWith(prefix, StringComparison.Ordinal) && id[prefix.Length] == '_'
        && id.AsSpan(prefix.Length + 1).IndexOfAnyExcept(IdCharacters) < 0;
}
