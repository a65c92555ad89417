using System.Collections.Concurrent;
using System.Text;

namespace Monetization.Usage.Domain;

/// <summary>
/// The encoded dimension values of a rollup row: <c>name=value</c> pairs sorted by name, joined with <c>&amp;</c>, values
/// URI-escaped (<c>model=gpt-4o&amp;plugin_id=plg_1</c>). The empty string is the meter's total row.
/// </summary>
internal static class DimensionKey
{
    /// <summary>The total row's key.</summary>
    public const string Total = "";

    /// <summary>Encodes (name, value) pairs already sorted by name.</summary>
    public static string Encode(IReadOnlyList<KeyValuePair<string, string>> sortedPairs)
    {
        if (sortedPairs.Count == 0)
        {
            return Total;
        }

        var builder = new StringBuilder();
        foreach (var (name, value) in sortedPairs)
        {
            if (builder.Length > 0)
            {
                builder.Append('&');
            }

            builder.Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }

        return builder.ToString();
    }

    /// <summary>
    /// Decodes a key into its (name, value) pairs. The answer is shared and read-only: the keys of a product's rollups repeat
    /// (a few models, plugins and endpoints), and the consumption read, on every product page view, decoded each of its rows
    /// three times into new dictionaries, about a tenth of what the request allocated (issue 22: the allocation set how often
    /// the collector paused the reads). Keys seen are kept up to <see cref="DecodedCapacity"/>, then forgotten all at once.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Decode(string key)
    {
        if (key.Length == 0)
        {
            return Empty;
        }

        if (Decoded.TryGetValue(key, out var pairs))
        {
            return pairs;
        }

        pairs = Parse(key);
        if (Decoded.Count >= DecodedCapacity)
        {
            Decoded.Clear();
        }

        Decoded.TryAdd(key, pairs);
        return pairs;
    }

    /// <summary>Most decoded keys kept.</summary>
    internal const int DecodedCapacity = 10_000;

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>(StringComparer.Ordinal).AsReadOnly();

    private static readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> Decoded = new(StringComparer.Ordinal);

    private static IReadOnlyDictionary<string, string> Parse(string key)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in key.Split('&'))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                pairs[part[..eq]] = Uri.UnescapeDataString(part[(eq + 1)..]);
            }
        }

        return pairs.AsReadOnly();
    }
}
