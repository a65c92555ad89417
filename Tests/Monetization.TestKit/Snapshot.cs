using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Monetization.TestKit;

/// <summary>
/// Snapshot testing without Verify (absent from the registry): a JSON value is normalised (object keys sorted, our
/// and Stripe's random ids replaced by stable placeholders, ISO timestamps kept) and compared with
/// <c>{name}.verified.json</c> beside the calling test file. On a mismatch, or when no verified file exists, it writes
/// <c>{name}.received.json</c> there and fails with both texts; accept by renaming received to verified (or run with
/// <c>SNAPSHOT_ACCEPT=1</c>).
/// </summary>
public static partial class Snapshot
{
    /// <summary>Compares <paramref name="value"/> with the verified snapshot named <paramref name="name"/>.</summary>
    public static void Match(JsonNode? value, string name, [CallerFilePath] string callerFile = "")
    {
        var directory = Path.GetDirectoryName(callerFile)!;
        var verified = Path.Combine(directory, name + ".verified.json");
        var received = Path.Combine(directory, name + ".received.json");
        var text = Normalize(value);
        if (File.Exists(verified) && File.ReadAllText(verified).ReplaceLineEndings("\n").TrimEnd() == text.TrimEnd())
        {
            if (File.Exists(received))
            {
                File.Delete(received);
            }

            return;
        }

        if (Environment.GetEnvironmentVariable("SNAPSHOT_ACCEPT") == "1")
        {
            File.WriteAllText(verified, text + "\n");
            return;
        }

        File.WriteAllText(received, text + "\n");
        var expected = File.Exists(verified) ? File.ReadAllText(verified) : "(no verified snapshot yet)";
        Assert.Fail($"Snapshot '{name}' differs. Received (written to {received}):\n{text}\nVerified:\n{expected}");
    }

    /// <summary>Sorts keys and scrubs random ids, so equal shapes give equal text.</summary>
    public static string Normalize(JsonNode? value)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var sorted = Sort(value, ids);
        return sorted?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "null";
    }

    private static JsonNode? Sort(JsonNode? node, Dictionary<string, string> ids) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sort(p.Value, ids)))),
        JsonArray a => new JsonArray(a.Select(n => Sort(n, ids)).ToArray()),
        JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(Scrub(s, ids)),
        null => null,
        _ => node.DeepClone(),
    };

    private static string Scrub(string text, Dictionary<string, string> ids) =>
        RandomId().Replace(text, m =>
        {
            if (!ids.TryGetValue(m.Value, out var placeholder))
            {
                placeholder = $"{m.Groups[1].Value}_{ids.Count(p => p.Key.StartsWith(m.Groups[1].Value + "_", StringComparison.Ordinal)) + 1}";
                ids[m.Value] = placeholder;
            }

            return placeholder;
        });

    [GeneratedRegex(@"\b([a-z]{2,6}(?:_test)?)_([0-9A-Za-z]{14,})\b")]
    private static partial Regex RandomId();
}
