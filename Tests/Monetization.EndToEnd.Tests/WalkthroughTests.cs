using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Monetization.TestKit;

namespace Monetization.EndToEnd.Tests;

/// <summary>
/// Runs docs/walkthrough.md against the in-process Host so the page stays true. A tiny interpreter of the page's
/// fenced <c>bash</c> blocks (the same conventions are written at the top of the page for readers):
/// <list type="bullet">
/// <item><c>NAME=value</c> sets a variable; <c>NAME=$(curl … | jq -r .path)</c> runs the request and keeps one field of its
/// JSON answer (jq paths: <c>.a.b</c>, <c>.a[0].b</c>). <c>BASE</c> and <c>ADMIN</c> are given by the test.</item>
/// <item><c>curl</c> lines (a trailing <c>\</c> continues a line) run through HttpClient. Options understood: <c>-s</c>,
/// <c>-i</c>, <c>-X METHOD</c>, <c>-H 'Name: value'</c>, <c>-d data</c> (repeatable, joined with <c>&amp;</c>, form-encoded
/// unless a Content-Type header is given), <c>-u user:password</c>. Quoting is bash's: single quotes literal, double quotes
/// and bare words expand <c>$NAME</c> / <c>${NAME}</c>; adjacent pieces join.</item>
/// <item>A <c># expect: STATUS [CHECK…]</c> comment right under a command asserts the answer: the status code, then checks
/// <c>.path == value</c> or <c>.path != value</c> (value a JSON literal: <c>"text"</c>, <c>42</c>, <c>true</c>, <c>null</c>) and
/// <c>header Name == "value"</c>.</item>
/// <item>Everything else (comments, <c>echo</c>, <c>export</c> lines of the first block) is for the reader and ignored.</item>
/// </list>
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class WalkthroughTests
{
    private static readonly string[] Predefined = ["BASE", "ADMIN"];

    [Test]
    public async Task Walkthrough_commands_answer_what_the_page_shows()
    {
        var page = await File.ReadAllTextAsync(Path.Combine(TestPaths.RepositoryRoot, "docs", "walkthrough.md"));
        var commands = Parse(page);
        Assert.That(commands.Count(c => c.Expect is not null), Is.GreaterThan(30), "the page's commands carry expectations");

        await using var factory = Story.CreateFactory();
        using var http = factory.CreateAnonymousClient();
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["BASE"] = "http://localhost:5080",
            ["ADMIN"] = MonetizationFactory.AdminKey,
        };

        foreach (var command in commands)
        {
            var (assign, curl, jqPath) = Split(command.Text);
            if (curl is null)
            {
                if (assign is not null && !Predefined.Contains(assign))
                {
                    variables[assign] = string.Concat(Words(command.Text[(assign.Length + 1)..], variables));
                }

                continue;
            }

            var words = Words(curl, variables);
            var (status, headers, body) = await SendAsync(http, words);
            var where = $"line {command.Line}: {command.Text}\n→ {status} {body}";
            if (command.Expect is { } expect)
            {
                // A GET may show the result of background work (a credit deferral sent to Stripe): retried up to 15 s.
                var deadline = DateTime.UtcNow.AddSeconds(15);
                while (IsGet(words) && Failure(expect, status, headers, body) is not null && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100);
                    await factory.SettleAsync();
                    (status, headers, body) = await SendAsync(http, words);
                    where = $"line {command.Line}: {command.Text}\n→ {status} {body}";
                }

                Check(expect, status, headers, body, where);
            }

            if (assign is not null)
            {
                var value = Json.At(JsonNode.Parse(body), JqToPath(jqPath!));
                Assert.That(value, Is.Not.Null, $"nothing at {jqPath}: {where}");
                variables[assign] = value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value!.ToJsonString();
            }

            // A person reads each answer before typing the next command; the Host's background delivery has done its work.
            await factory.SettleAsync();
        }
    }

    private static bool IsGet(List<string> words) => !words.Contains("-X") && !words.Contains("-d");

    /// <summary>A command of the page (continuations joined) and the <c># expect:</c> under it.</summary>
    internal sealed record Command(int Line, string Text, string? Expect);

    internal static List<Command> Parse(string markdown)
    {
        var commands = new List<Command>();
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var inBash = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inBash = !inBash && line.Trim() == "```bash";
                continue;
            }

            if (!inBash)
            {
                continue;
            }

            var trimmed = line.Trim();
            if (trimmed.StartsWith("# expect:", StringComparison.Ordinal))
            {
                var last = commands[^1];
                commands[^1] = last with { Expect = trimmed["# expect:".Length..].Trim() };
                continue;
            }

            if (trimmed.Length == 0 || trimmed.StartsWith('#') || !(trimmed.StartsWith("curl ", StringComparison.Ordinal) || AssignmentPattern().IsMatch(trimmed)))
            {
                continue;
            }

            var start = i + 1;
            var text = new StringBuilder(trimmed);
            while (text.Length > 0 && text[^1] == '\\' && i + 1 < lines.Length)
            {
                text.Length--;
                text.Append(' ').Append(lines[++i].Trim());
            }

            commands.Add(new Command(start, text.ToString(), null));
        }

        return commands;
    }

    /// <summary><c>NAME=$(curl … | jq -r PATH)</c>, <c>NAME=value</c> or <c>curl …</c>.</summary>
    private static (string? Assign, string? Curl, string? JqPath) Split(string text)
    {
        var capture = CapturePattern().Match(text);
        if (capture.Success)
        {
            return (capture.Groups["name"].Value, capture.Groups["curl"].Value, capture.Groups["path"].Value);
        }

        var assign = AssignmentPattern().Match(text);
        if (assign.Success)
        {
            return (assign.Groups["name"].Value, null, null);
        }

        return (null, text, null);
    }

    /// <summary>Bash-like words: quotes, <c>$NAME</c> expansion outside single quotes, adjacent pieces joined.</summary>
    internal static List<string> Words(string text, IReadOnlyDictionary<string, string> variables)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                continue;
            }

            inWord = true;
            if (c == '\'')
            {
                var end = text.IndexOf('\'', i + 1);
                word.Append(text, i + 1, end - i - 1);
                i = end;
            }
            else if (c == '"')
            {
                var j = i + 1;
                var inner = new StringBuilder();
                while (text[j] != '"')
                {
                    if (text[j] == '\\' && j + 1 < text.Length && text[j + 1] is '"' or '\\' or '$')
                    {
                        j++;
                    }

                    inner.Append(text[j]);
                    j++;
                }

                word.Append(Expand(inner.ToString(), variables));
                i = j;
            }
            else if (c == '$')
            {
                var match = VariablePattern().Match(text, i);
                word.Append(Expand(match.Value, variables));
                i += match.Length - 1;
            }
            else
            {
                word.Append(c);
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    private static string Expand(string text, IReadOnlyDictionary<string, string> variables) =>
        VariablePattern().Replace(text, m =>
        {
            var name = m.Groups["a"].Success ? m.Groups["a"].Value : m.Groups["b"].Value;
            return variables.TryGetValue(name, out var value) ? value : throw new AssertionException($"${name} is not set (yet) in the walkthrough");
        });

    private static async Task<(int Status, HttpResponseHeaders Headers, string Body)> SendAsync(HttpClient http, List<string> words)
    {
        Assert.That(words[0], Is.EqualTo("curl"));
        string? method = null;
        string? url = null;
        var headers = new List<(string, string)>();
        var data = new List<string>();
        string? basic = null;
        for (var i = 1; i < words.Count; i++)
        {
            switch (words[i])
            {
                case "-s" or "-i" or "-si" or "-is":
                    break;
                case "-X":
                    method = words[++i];
                    break;
                case "-H":
                    var header = words[++i];
                    var colon = header.IndexOf(':', StringComparison.Ordinal);
                    headers.Add((header[..colon].Trim(), header[(colon + 1)..].Trim()));
                    break;
                case "-d":
                    data.Add(words[++i]);
                    break;
                case "-u":
                    basic = words[++i];
                    break;
                case var option when option.StartsWith('-'):
                    throw new AssertionException($"curl option {option} is not understood by the walkthrough runner");
                default:
                    url = words[i];
                    break;
            }
        }

        Assert.That(url, Is.Not.Null, "curl needs a URL");
        var target = Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : url!;
        using var request = new HttpRequestMessage(new HttpMethod(method ?? (data.Count > 0 ? "POST" : "GET")), target);
        var contentType = headers.FirstOrDefault(h => h.Item1.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Item2;
        if (data.Count > 0)
        {
            request.Content = new StringContent(string.Join('&', data), Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "application/x-www-form-urlencoded");
        }

        foreach (var (name, value) in headers.Where(h => !h.Item1.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (basic is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(basic)));
        }

        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, response.Headers, await response.Content.ReadAsStringAsync());
    }

    private static void Check(string expect, int status, HttpResponseHeaders headers, string body, string where)
    {
        if (Failure(expect, status, headers, body) is { } failure)
        {
            Assert.Fail($"expected {expect}: {failure}\n{where}");
        }
    }

    /// <summary>What does not hold of <c># expect: STATUS CHECK…</c>, or null.</summary>
    private static string? Failure(string expect, int status, HttpResponseHeaders headers, string body)
    {
        var expectedStatus = int.Parse(expect.Split(' ', 2)[0], System.Globalization.CultureInfo.InvariantCulture);
        if (status != expectedStatus)
        {
            return $"status {status}";
        }

        JsonNode? json = null;
        foreach (Match part in CheckPattern().Matches(expect))
        {
            var expected = JsonNode.Parse(part.Groups["value"].Value);
            JsonNode? actual;
            if (part.Groups["header"].Success)
            {
                actual = headers.TryGetValues(part.Groups["header"].Value, out var values) ? JsonValue.Create(values.Single()) : null;
            }
            else
            {
                json ??= JsonNode.Parse(body);
                actual = Json.At(json, JqToPath(part.Groups["path"].Value));
            }

            if (JsonNode.DeepEquals(actual, expected) != (part.Groups["op"].Value == "=="))
            {
                return $"{part.Value}: was {actual?.ToJsonString() ?? "null"}";
            }
        }

        return null;
    }

    /// <summary><c>.a[0].b</c> → <c>a.0.b</c> (the path syntax of <see cref="Json.At"/>).</summary>
    private static string JqToPath(string jq) => jq.TrimStart('.').Replace("[", ".", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal);

    [GeneratedRegex(@"^(?<name>[A-Z_][A-Z0-9_]*)=")]
    private static partial Regex AssignmentPattern();

    [GeneratedRegex(@"^(?<name>[A-Z_][A-Z0-9_]*)=\$\((?<curl>curl .*?)\s*\|\s*jq -r (?<path>\S+)\)$")]
    private static partial Regex CapturePattern();

    [GeneratedRegex(@"\$(?:\{(?<a>[A-Za-z_][A-Za-z0-9_]*)\}|(?<b>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex VariablePattern();

    [GeneratedRegex(@"(?:header (?<header>[A-Za-z-]+)|(?<path>\.[A-Za-z0-9_.\[\]]*))\s*(?<op>==|!=)\s*(?<value>""[^""]*""|-?\d+|true|false|null)")]
    private static partial Regex CheckPattern();
}
