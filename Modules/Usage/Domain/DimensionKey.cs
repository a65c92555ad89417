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

    /// <summary>Decodes a key into its (name, value) pairs.</summary>
    public static Dictionary<string, string> Decode(string key)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (key.Length == 0)
        {
            return pairs;
        }

        foreach (var part in key.Split('&'))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                pairs[part[..eq]] = Uri.UnescapeDataString(part[(eq + 1)..]);
            }
        }

        return pairs;
    }
}
