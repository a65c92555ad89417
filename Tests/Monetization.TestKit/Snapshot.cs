using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Monetization.TestKit;

/// <summary>
/// Snapshot testing without Verify (still absent from the registry): a JSON value is normalised by <see cref="Scrub"/>
/// (object keys sorted; our and Stripe's random ids replaced by stable numbered placeholders, <c>cus_1</c>, <c>cus_2</c>,
/// so references between values survive; other random tokens of 16+ characters by <c>&lt;token&gt;</c>; ISO 8601
/// timestamps replaced by <c>&lt;time&gt;</c>; the values of the given
/// opaque keys replaced by <c>&lt;scrubbed&gt;</c>) and compared with <c>{name}.verified.json</c> beside the calling
/// test file. On a mismatch, or when no verified file exists, it writes <c>{name}.received.json</c> there and fails with
/// both texts; accept by renaming received to verified (or run with <c>SNAPSHOT_ACCEPT=1</c>). The one scrubber of the
/// test suite: contract snapshots and the end-to-end story use it.
/// </summary>
public static partial class Snapshot
{
    /// <summary>Compares <paramref name="value"/> with the verified snapshot named <paramref name="name"/> (may contain a sub-folder).</summary>
    /// <param name="value">The JSON to compare.</param>
    /// <param name="name">Snapshot name, e.g. <c>plans</c> or <c>Contracts/GET_v1_plans</c>.</param>
    /// <param name="opaqueKeys">Keys whose values are random by nature (a referral code), replaced whole.</param>
    /// <param name="callerFile">Set by the compiler: the snapshot sits beside this file.</param>
    public static void Match(JsonNode? value, string name, IReadOnlyCollection<string>? opaqueKeys = null, [CallerFilePath] string callerFile = "")
    {
        var directory = Path.GetDirectoryName(callerFile)!;
        var verified = Path.Combine(directory, name + ".verified.json");
        var received = Path.Combine(directory, name + ".received.json");
        Directory.CreateDirectory(Path.GetDirectoryName(verified)!);
        var text = Normalize(value, opaqueKeys);
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

    /// <summary>The scrubbed value as indented text, so equal shapes give equal text.</summary>
    public static string Normalize(JsonNode? value, IReadOnlyCollection<string>? opaqueKeys = null) =>
        Scrub(value, opaqueKeys)?.ToJsonString(Indented) ?? "null";

    // Placeholders and text stay readable in review (<time>, not \u003Ctime\u003E): snapshots are files, not HTML.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A scrubbed copy of <paramref name="value"/>: keys sorted, ids numbered, timestamps and opaque values replaced.</summary>
    public static JsonNode? Scrub(JsonNode? value, IReadOnlyCollection<string>? opaqueKeys = null) =>
        Sort(value, new Dictionary<string, string>(StringComparer.Ordinal), opaqueKeys ?? []);

    private static JsonNode? Sort(JsonNode? node, Dictionary<string, string> ids, IReadOnlyCollection<string> opaque) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, opaque.Contains(p.Key) && p.Value is not null ? JsonValue.Create("<scrubbed>") : Sort(p.Value, ids, opaque)))),
        JsonArray a => new JsonArray(a.Select(n => Sort(n, ids, opaque)).ToArray()),
        JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(Timestamp().IsMatch(s) ? "<time>" : Token().Replace(ScrubIds(LoopbackPort().Replace(s, "$1:<port>"), ids), "<token>")),
        null => null,
        _ => node.DeepClone(),
    };

    private static string ScrubIds(string text, Dictionary<string, string> ids) =>
        RandomId().Replace(text, m =>
        {
            if (!ids.TryGetValue(m.Value, out var placeholder))
            {
                placeholder = $"{m.Groups[1].Value}_{ids.Count(p => p.Key.StartsWith(m.Groups[1].Value + "_", StringComparison.Ordinal)) + 1}";
                ids[m.Value] = placeholder;
            }

            return placeholder;
        });

    // A prefix, an underscore, then at least 8 letters and digits with at least one digit or capital: our PrefixedId
    // (24 random characters) and Stripe's ids, never words such as "stripe_unavailable".
    [GeneratedRegex(@"\b([a-z]{2,6}(?:_test)?)_(?=[0-9a-z]*[0-9A-Z])([0-9A-Za-z]{8,})\b")]
    private static partial Regex RandomId();

    // A bare random token (an onboarding link's secret, a client secret's tail): 16+ letters and digits with a digit or capital.
    [GeneratedRegex(@"(?<![A-Za-z0-9])(?=[0-9a-z]*[0-9A-Z])[0-9A-Za-z]{16,}(?![A-Za-z0-9])")]
    private static partial Regex Token();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")]
    private static partial Regex Timestamp();

    // A test server's free port on a loopback address (a webhook receiver's URL), different each run; named hosts such as
    // localhost:8080 are configuration and stay.
    [GeneratedRegex(@"(https?://(?:127\.0\.0\.1|\[::1\])):\d+")]
    private static partial Regex LoopbackPort();
}
