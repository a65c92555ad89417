using System.Text.RegularExpressions;
using Monetization.BuildingBlocks.Http;

namespace Monetization.Marketplace.Domain;

/// <summary>Shapes of Marketplace names (ids follow <c>UserIds</c> and <c>PrefixedId</c>).</summary>
internal static partial class Validation
{
    /// <summary>A slug: lowercase words of letters and digits joined by single hyphens, up to 64 characters.</summary>
    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    public static partial Regex Slug();
}
