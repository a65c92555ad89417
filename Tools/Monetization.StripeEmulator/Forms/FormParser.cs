using System.Text;
using Monetization.StripeEmulator.Http;

namespace Monetization.StripeEmulator.Forms;

/// <summary>Decodes Stripe's form encoding (<c>a[b][c]=v</c>, <c>items[0][price]=…</c>, <c>expand[]=…</c>) into a tree.</summary>
internal static class FormParser
{
    public static FormNode Parse(string? encoded)
    {
        var root = new FormNode(string.Empty);
        if (string.IsNullOrEmpty(encoded))
        {
            return root;
        }

        var text = encoded[0] == '?' ? encoded[1..] : encoded;
        var appendCounters = new Dictionary<FormNode, int>();
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var rawKey = eq < 0 ? pair : pair[..eq];
            var rawValue = eq < 0 ? string.Empty : pair[(eq + 1)..];
            var key = Decode(rawKey);
            var value = Decode(rawValue);
            var segments = SplitKey(key);
            var node = root;
            for (var i = 0; i < segments.Count; i++)
            {
                var segment = segments[i];
                if (segment.Length == 0)
                {
                    appendCounters.TryGetValue(node, out var next);
                    while (node.Has(next.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                    {
                        next++;
                    }

                    segment = next.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    appendCounters[node] = next + 1;
                }

                if (node.IsScalar)
                {
                    throw ApiException.Invalid($"Invalid object: {node.Path}", node.Path, "parameter_invalid_empty");
                }

                node = node.Child(segment);
            }

            if (node.Children.Count > 0)
            {
                throw ApiException.Invalid($"Invalid value for {node.Path}", node.Path, "parameter_invalid_empty");
            }

            node.Value = value;
        }

        return root;
    }

    private static List<string> SplitKey(string key)
    {
        var result = new List<string>();
        var open = key.IndexOf('[', StringComparison.Ordinal);
        if (open < 0 || !key.EndsWith(']'))
        {
            result.Add(key);
            return result;
        }

        result.Add(key[..open]);
        var rest = key[open..];
        var i = 0;
        while (i < rest.Length && rest[i] == '[')
        {
            var close = rest.IndexOf(']', i);
            if (close < 0)
            {
                break;
            }

            result.Add(rest[(i + 1)..close]);
            i = close + 1;
        }

        return result;
    }

    private static string Decode(string value)
    {
        if (value.IndexOf('+', StringComparison.Ordinal) < 0 && value.IndexOf('%', StringComparison.Ordinal) < 0)
        {
            return value;
        }

        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '+')
            {
                bytes.Add((byte)' ');
            }
            else if (c == '%' && i + 2 < value.Length && Uri.IsHexDigit(value[i + 1]) && Uri.IsHexDigit(value[i + 2]))
            {
                bytes.Add(Convert.ToByte(value.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (char.IsHighSurrogate(c) && i + 1 < value.Length)
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(value.Substring(i, 2)));
                i++;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
