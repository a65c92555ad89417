using System.Buffers;
using FluentValidation;

namespace Monetization.BuildingBlocks.Billing;

/// <summary>
/// The ids the product supplies (user ids, developer ids), as every module accepts them: opaque strings of 1–128
/// characters of <c>A–Z a–z 0–9</c> and <c>_ - . : @</c> (so e-mail-like ids work). One rule for all modules, so an id
/// accepted by one route is accepted by every other; anything else is a 422 naming the field. Ids this service mints
/// follow <see cref="PrefixedId"/>.
/// </summary>
public static class UserIds
{
    /// <summary>Longest accepted id.</summary>
    public const int MaxLength = 128;

    /// <summary>The rule, for error messages.</summary>
    public const string Rule = "must be 1–128 characters of A–Z, a–z, 0–9 and _ - . : @";

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.:@");

    /// <summary>True for a well-formed user id.</summary>
    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= MaxLength } && id.AsSpan().IndexOfAnyExcept(Allowed) < 0;

    /// <summary>The rule as a FluentValidation rule: required and well-formed, one message naming the field.</summary>
    /// <typeparam name="T">The validated request.</typeparam>
    /// <typeparam name="TId">The property's type (<c>string</c> or <c>string?</c>).</typeparam>
    public static IRuleBuilderOptions<T, TId> MustBeUserId<T, TId>(this IRuleBuilderInitial<T, TId> rule) => rule.MustBeExternalId("user_id");

    /// <summary>The same rule for another id the product supplies (<c>developer_id</c>), the message naming <paramref name="field"/>.</summary>
    /// <typeparam name="T">The validated request.</typeparam>
    /// <typeparam name="TId">The property's type (<c>string</c> or <c>string?</c>).</typeparam>
    public static IRuleBuilderOptions<T, TId> MustBeExternalId<T, TId>(this IRuleBuilderInitial<T, TId> rule, string field)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.Cascade(CascadeMode.Stop).NotEmpty().WithMessage(field + " is required.")
            .Must(id => IsValid(id as string)).WithMessage(field + " " + Rule + ".");
    }
}
