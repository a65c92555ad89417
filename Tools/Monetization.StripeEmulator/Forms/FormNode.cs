using System.Globalization;
using Monetization.StripeEmulator.Http;

namespace Monetization.StripeEmulator.Forms;

/// <summary>A node of a decoded Stripe form: either a scalar value or a map of children (arrays use index keys).</summary>
internal sealed class FormNode
{
    private readonly Dictionary<string, FormNode> _children = new(StringComparer.Ordinal);

    public FormNode(string path) => Path = path;

    /// <summary>The parameter name as Stripe reports it, e.g. <c>line_items[0][price]</c>.</summary>
    public string Path { get; }

    public string? Value { get; set; }

    public bool IsScalar => Value is not null;

    public IReadOnlyDictionary<string, FormNode> Children => _children;

    public FormNode Child(string key)
    {
        if (!_children.TryGetValue(key, out var node))
        {
            node = new FormNode(Path.Length == 0 ? key : $"{Path}[{key}]");
            _children[key] = node;
        }

        return node;
    }

    public bool Has(string name) => _children.ContainsKey(name);

    public FormNode? Get(string name) => _children.GetValueOrDefault(name);

    public string? Str(string name)
    {
        var node = Get(name);
        if (node is null)
        {
            return null;
        }

        if (!node.IsScalar)
        {
            throw ApiException.Invalid($"Invalid string: {{...}}", node.Path, "parameter_invalid_string");
        }

        return node.Value;
    }

    public string RequireStr(string name)
    {
        var value = Str(name);
        if (string.IsNullOrEmpty(value))
        {
            throw ApiException.Missing(Get(name)?.Path ?? Child2Path(name));
        }

        return value;
    }

    public long? Long(string name)
    {
        var value = Str(name);
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var result))
        {
            throw ApiException.Invalid($"Invalid integer: {value}", Get(name)!.Path, "parameter_invalid_integer");
        }

        return result;
    }

    public long RequireLong(string name)
    {
        var value = Long(name);
        return value ?? throw ApiException.Missing(Child2Path(name));
    }

    public bool? Bool(string name)
    {
        var value = Str(name);
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return value switch
        {
            "true" => true,
            "false" => false,
            _ => throw ApiException.Invalid($"Invalid boolean: {value}", Get(name)!.Path, "parameter_invalid_boolean"),
        };
    }

    public IReadOnlyList<FormNode> Array(string name)
    {
        var node = Get(name);
        if (node is null || node.IsScalar)
        {
            return [];
        }

        return node._children
            .OrderBy(c => int.TryParse(c.Key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue)
            .Select(c => c.Value)
            .ToList();
    }

    public List<string> StrArray(string name)
    {
        var node = Get(name);
        if (node is null)
        {
            return [];
        }

        if (node.IsScalar)
        {
            return node.Value!.Length == 0 ? [] : [node.Value!];
        }

        return Array(name).Where(n => n.IsScalar).Select(n => n.Value!).ToList();
    }

    /// <summary>Validates that only the listed children are present (recursively for the given nested specs).</summary>
    public void Allow(string names)
    {
        var allowed = names.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        allowed.Add("expand");
        foreach (var (key, child) in _children.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (!allowed.Contains(key))
            {
                throw ApiException.Unknown(child.Path);
            }
        }
    }

    /// <summary>Validates an array of objects: each element may only hold the listed children.</summary>
    public void AllowEach(string arrayName, string names)
    {
        foreach (var element in Array(arrayName))
        {
            element.AllowWithoutExpand(names);
        }
    }

    /// <summary>Validates a nested object's children.</summary>
    public void AllowIn(string objectName, string names) => Get(objectName)?.AllowWithoutExpand(names);

    private void AllowWithoutExpand(string names)
    {
        if (IsScalar)
        {
            return;
        }

        var allowed = names.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, child) in _children)
        {
            if (!allowed.Contains(key))
            {
                throw ApiException.Unknown(child.Path);
            }
        }
    }

    private string Child2Path(string name) => Path.Length == 0 ? name : $"{Path}[{name}]";

    /// <summary>Reads a <c>metadata</c>-style map. Returns null when absent; an empty string value means "clear all".</summary>
    public Dictionary<string, string?>? Map(string name, out bool clearAll)
    {
        clearAll = false;
        var node = Get(name);
        if (node is null)
        {
            return null;
        }

        if (node.IsScalar)
        {
            clearAll = node.Value!.Length == 0;
            return [];
        }

        return node._children.ToDictionary(kv => kv.Key, kv => kv.Value.Value is { Length: > 0 } v ? v : null, StringComparer.Ordinal);
    }

    /// <summary>A canonical text of the whole tree, used to compare idempotent requests.</summary>
    public string Canonical()
    {
        if (IsScalar)
        {
            return Value!;
        }

        return "{" + string.Join(",", _children.OrderBy(k => k.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value.Canonical())) + "}";
    }
}
