using System.Text.RegularExpressions;
using Monetization.BuildingBlocks.Http;

namespace Monetization.Marketplace.Domain;

/// <summary>Shapes of identifiers.</summary>
internal static partial class Validation
{
    /// <summary>An external id (developer id, user id): 1–64 of letters, digits and <c>_ - . :</c>, starting with a letter or digit.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")]
    public static partial Regex ExternalId();

    /// <summary>A slug: lowercase words of letters and digits joined by single hyphens, up to 64 characters.</summary>
    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    public static partial Regex Slug();

    /// <summary>True when <paramref name="id"/> is a well-formed external id.</summary>
    public static bool IsExternalId(string? id) => id is not null && ExternalId().IsMatch(id);
}
