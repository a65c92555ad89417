using System.Buffers;
using FluentValidation;

namespace Monetization.Referrals.Domain;

/// <summary>
/// The product's user ids are opaque strings: 1–128 characters of <c>[A-Za-z0-9_\-.:@]</c> (a decision of this module,
/// documented in docs/modules/referrals.md). Anything else is answered 422 naming <c>user_id</c>.
/// </summary>
internal static class UserId
{
    /// <summary>Longest accepted id.</summary>
    public const int MaxLength = 128;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.:@");

    /// <summary>True for a well-formed user id.</summary>
    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= MaxLength } && id.AsSpan().IndexOfAnyExcept(Allowed) < 0;

    /// <summary>The rule as a FluentValidation rule (required, well-formed).</summary>
    public static IRuleBuilderOptions<T, string> MustBeUserId<T>(this IRuleBuilderInitial<T, string> rule) =>
        rule.Cascade(CascadeMode.Stop).NotEmpty().WithMessage("user_id is required.")
            .Must(IsValid).WithMessage($"user_id must be 1–{MaxLength} characters of A–Z, a–z, 0–9 and _ - . : @.");
}
