namespace Monetization.Usage.Domain;

/// <summary>Length limits of identifiers and free text taken from callers.</summary>
internal static class TextLimits
{
    /// <summary>Longest user id, event id, key or dimension value.</summary>
    public const int MaxId = 200;
}
