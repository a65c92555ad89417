using System.Text;
using System.Text.RegularExpressions;

namespace Monetization.Platform.Tests;

/// <summary>The two programs a document may tell a user to start.</summary>
internal enum DocumentedProgram
{
    /// <summary><c>Host/Monetization.Host</c> (<c>Monetization.Host.dll</c>).</summary>
    Host,

    /// <summary><c>Tools/Monetization.StripeEmulator</c> (<c>Monetization.StripeEmulator.dll</c>).</summary>
    StripeEmulator,
}

/// <summary>
/// One command line from a fenced code block of README.md or docs/**/*.md that starts the Host or the Stripe emulator:
/// <c>[NAME=value …] dotnet run --project PATH [-- args]</c> or <c>[NAME=value …] dotnet PATH/X.dll [args]</c>.
/// </summary>
/// <param name="File">The document, relative to the repository root.</param>
/// <param name="Line">1-based line of the command's first line.</param>
/// <param name="Text">The command as written (continuations joined).</param>
/// <param name="Program">Which program it starts.</param>
/// <param name="ViaDotnetRun">True for <c>dotnet run --project</c> (the launch profile applies), false for <c>dotnet X.dll</c>.</param>
/// <param name="Environment">The <c>NAME=value</c> assignments in front of it, in order.</param>
/// <param name="Arguments">The program's arguments (after <c>--</c> for <c>dotnet run</c>).</param>
internal sealed record DocumentedCommand(string File, int Line, string Text, DocumentedProgram Program, bool ViaDotnetRun,
    IReadOnlyList<KeyValuePair<string, string>> Environment, IReadOnlyList<string> Arguments)
{
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>The commands of one fenced code block, started together (a block may start the emulator and a Host that uses it).</summary>
internal sealed record DocumentedBlock(string File, int Line, IReadOnlyList<DocumentedCommand> Commands)
{
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>
/// Reads the command lines that start the Host or the Stripe emulator out of the repository's Markdown, so the test that
/// runs them and the documents share the same text: a document cannot promise a command that does not run.
/// </summary>
internal static partial class DocumentedCommandLines
{
    /// <summary>Every block with at least one such command, from README.md and docs/**/*.md.</summary>
    public static IReadOnlyList<DocumentedBlock> Read(string repositoryRoot)
    {
        var files = new[] { Path.Combine(repositoryRoot, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(repositoryRoot, "docs"), "*.md", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal);
        var blocks = new List<DocumentedBlock>();
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(repositoryRoot, file).Replace('\\', '/');
            foreach (var (line, lines) in FencedBlocks(File.ReadAllLines(file)))
            {
                var commands = Commands(relative, line, lines).ToList();
                if (commands.Count > 0)
                {
                    blocks.Add(new DocumentedBlock(relative, line, commands));
                }
            }
        }

        return blocks;
    }

    /// <summary>The lines of each fenced (```) block with the 1-based line number of its first content line.</summary>
    private static IEnumerable<(int Line, List<(int Line, string Text)> Lines)> FencedBlocks(string[] lines)
    {
        List<(int, string)>? current = null;
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                if (current is null)
                {
                    current = [];
                    start = i + 2;
                }
                else
                {
                    yield return (start, current);
                    current = null;
                }
            }
            else
            {
                current?.Add((i + 1, lines[i]));
            }
        }
    }

    private static IEnumerable<DocumentedCommand> Commands(string file, int blockLine, List<(int Line, string Text)> lines)
    {
        var joined = new List<(int Line, string Text)>();
        var builder = new StringBuilder();
        var first = 0;
        foreach (var (number, text) in lines)
        {
            if (builder.Length == 0)
            {
                first = number;
            }

            var trimmed = text.TrimEnd();
            if (trimmed.EndsWith('\\'))
            {
                builder.Append(trimmed[..^1]).Append(' ');
                continue;
            }

            builder.Append(trimmed);
            joined.Add((first, builder.ToString()));
            builder.Clear();
        }

        foreach (var (line, text) in joined)
        {
            var tokens = Tokenize(StripComment(text));
            if (tokens.Count > 0 && tokens[^1] == "&")
            {
                tokens.RemoveAt(tokens.Count - 1); // started in the background, the next command of the block follows
            }

            var environment = new List<KeyValuePair<string, string>>();
            var index = 0;
            while (index < tokens.Count && EnvironmentAssignment().Match(tokens[index]) is { Success: true } assignment)
            {
                environment.Add(new(assignment.Groups[1].Value, assignment.Groups[2].Value));
                index++;
            }

            if (index >= tokens.Count || tokens[index] != "dotnet" || index + 1 >= tokens.Count)
            {
                continue;
            }

            var rest = tokens.Skip(index + 1).ToList();
            if (rest[0] == "run")
            {
                var separator = rest.IndexOf("--");
                var runOptions = separator < 0 ? rest : rest[..separator];
                var project = runOptions.IndexOf("--project") is var p and >= 0 && p + 1 < runOptions.Count ? runOptions[p + 1].TrimEnd('/') : null;
                DocumentedProgram? program = project switch
                {
                    "Host/Monetization.Host" => DocumentedProgram.Host,
                    "Tools/Monetization.StripeEmulator" => DocumentedProgram.StripeEmulator,
                    _ => null,
                };
                if (program is not null)
                {
                    yield return new DocumentedCommand(file, line, text.Trim(), program.Value, true, environment, separator < 0 ? [] : rest[(separator + 1)..]);
                }
            }
            else if (rest[0].EndsWith(".dll", StringComparison.Ordinal))
            {
                DocumentedProgram? program = Path.GetFileName(rest[0]) switch
                {
                    "Monetization.Host.dll" => DocumentedProgram.Host,
                    "Monetization.StripeEmulator.dll" => DocumentedProgram.StripeEmulator,
                    _ => null,
                };
                if (program is not null)
                {
                    yield return new DocumentedCommand(file, line, text.Trim(), program.Value, false, environment, rest[1..]);
                }
            }
        }
    }

    /// <summary>Drops a shell comment: <c># …</c> after whitespace, outside quotes.</summary>
    private static string StripComment(string text)
    {
        var quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(text[i - 1])))
            {
                return text[..i];
            }
        }

        return text;
    }

    /// <summary>Splits a command the way a POSIX shell does for the forms the documents use: words, '…' and "…" (quotes removed).</summary>
    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        var inToken = false;
        var quote = '\0';
        foreach (var c in text)
        {
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inToken = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inToken)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                    inToken = false;
                }
            }
            else
            {
                current.Append(c);
                inToken = true;
            }
        }

        if (inToken)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", RegexOptions.Singleline)]
    private static partial Regex EnvironmentAssignment();
}
