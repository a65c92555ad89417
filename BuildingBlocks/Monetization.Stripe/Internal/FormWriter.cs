using System.Globalization;
using System.Text;

namespace Monetization.Stripe.Internal;

/// <summary>
/// Builds Stripe's <c>application/x-www-form-urlencoded</c> parameters in insertion order: deepObject keys
/// (<c>a[b][c]</c>), zero-based indexed arrays (<c>items[0][price]</c>), <c>true</c>/<c>false</c>, integers and unix seconds.
/// A null value omits the key; an empty string is sent as <c>key=</c> (Stripe's "unset").
/// </summary>
internal sealed class FormWriter
{
    private readonly List<KeyValuePair<string, string>> _pairs;
    private readonly string? _prefix;

    public FormWriter()
    {
        _pairs = [];
    }

    private FormWriter(List<KeyValuePair<string, string>> pairs, string prefix)
    {
        _pairs = pairs;
        _prefix = prefix;
    }

    public IReadOnlyList<KeyValuePair<string, string>> Pairs => _pairs;

    public bool IsEmpty => _pairs.Count == 0;

    private string Name(string key) => _prefix is null ? key : $"{_prefix}[{key}]";

    /// <summary>A writer whose keys are nested under <paramref name="key"/>.</summary>
    public FormWriter Nested(string key) => new(_pairs, Name(key));

    public FormWriter Add(string key, string? value)
    {
        if (value is not null)
        {
            _pairs.Add(new(Name(key), value));
        }

        return this;
    }

    public FormWriter Add(string key, long? value) =>
        Add(key, value?.ToString(CultureInfo.InvariantCulture));

    public FormWriter Add(string key, bool? value) =>
        Add(key, value is null ? null : value.Value ? "true" : "false");

    public FormWriter Add(string key, DateTimeOffset? value) =>
        Add(key, value?.ToUnixTimeSeconds());

    public FormWriter AddMap(string key, IEnumerable<KeyValuePair<string, string>>? map)
    {
        if (map is not null)
        {
            var nested = Nested(key);
            foreach (var (k, v) in map)
            {
                nested.Add(k, v ?? "");
            }
        }

        return this;
    }

    public FormWriter AddList(string key, IEnumerable<string>? values)
    {
        if (values is not null)
        {
            var nested = Nested(key);
            var i = 0;
            foreach (var v in values)
            {
                nested.Add(i.ToString(CultureInfo.InvariantCulture), v);
                i++;
            }
        }

        return this;
    }

    public FormWriter AddObjects<T>(string key, IEnumerable<T>? items, Action<FormWriter, T> write)
    {
        if (items is not null)
        {
            var nested = Nested(key);
            var i = 0;
            foreach (var item in items)
            {
                write(nested.Nested(i.ToString(CultureInfo.InvariantCulture)), item);
                i++;
            }
        }

        return this;
    }

    public FormWriter AddObject<T>(string key, T? value, Action<FormWriter, T> write)
        where T : class
    {
        if (value is not null)
        {
            write(Nested(key), value);
        }

        return this;
    }

    /// <summary>The encoded form, e.g. <c>email=a%40b.c&amp;metadata[k]=v</c>.</summary>
    public string Encode()
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in _pairs)
        {
            if (sb.Length > 0)
            {
                sb.Append('&');
            }

            sb.Append(Escape(key)).Append('=').Append(Escape(value));
        }

        return sb.ToString();
    }

    /// <summary>
    /// RFC 3986 percent-encoding of the UTF-8 bytes (only <c>A–Z a–z 0–9 - _ . ~</c> literal, space = <c>%20</c>,
    /// <c>+</c> = <c>%2B</c>), with <c>[</c> and <c>]</c> left literal, as stripe-node sends them.
    /// </summary>
    public static string Escape(string value) =>
        Uri.EscapeDataString(value).Replace("%5B", "[", StringComparison.Ordinal).Replace("%5D", "]", StringComparison.Ordinal);
}
