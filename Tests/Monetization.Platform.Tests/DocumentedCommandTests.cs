using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Monetization.TestKit;

namespace Monetization.Platform.Tests;

/// <summary>
/// Runs every command line in README.md and docs/**/*.md that starts the Host or the Stripe emulator (issue 16), as a real
/// process from the build output (<c>dotnet run --project P -- args</c> becomes <c>dotnet P/bin/…/P.dll args</c> with P's
/// launch profile, as <c>dotnet run</c> does), and waits for it to answer: the Host <c>/health/ready</c>, the emulator
/// <c>GET /v1/customers</c>. The commands of one code block start together, in order; when a block starts the emulator
/// with <c>--webhook-url</c> pointing at a Host of the same block, an event must reach that Host and be accepted (signature
/// and URL agree). The test changes only what cannot be taken literally on a test machine: ports (each documented port
/// becomes one free port, consistently across the block), secrets read with <c>$(cat …)</c> (generated), and the paths a
/// program writes to (data directory, emulator state file, publish folder → the build output).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class DocumentedCommandTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    /// <summary>The documents that must keep at least one such command (so a parsing slip cannot make the test vacuous).</summary>
    private static readonly string[] DocumentsWithCommands = ["README.md", "docs/walkthrough.md", "docs/operations.md", "docs/stripe-emulator.md"];

    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0

    /// <summary>One test case per code block, named <c>file:line</c>.</summary>
    public static IEnumerable<TestCaseData> Blocks() =>
        DocumentedCommandLines.Read(TestPaths.RepositoryRoot).Select(b => new TestCaseData(b.File, b.Line).SetArgDisplayNames(b.ToString()));

    [Test]
    public void The_documents_show_commands_for_both_programs()
    {
        var blocks = DocumentedCommandLines.Read(TestPaths.RepositoryRoot);
        var commands = blocks.SelectMany(b => b.Commands).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(blocks.Select(b => b.File).Distinct(), Is.SupersetOf(DocumentsWithCommands));
            Assert.That(commands.Count(c => c.Program == DocumentedProgram.StripeEmulator), Is.GreaterThanOrEqualTo(2), "the standalone emulator, alone and with a Host");
            Assert.That(commands.Count(c => c.Program == DocumentedProgram.Host), Is.GreaterThanOrEqualTo(3));
            Assert.That(commands.Where(c => c.Text.Contains('[', StringComparison.Ordinal) || c.Text.Contains('…', StringComparison.Ordinal)).Select(c => c.ToString()), Is.Empty,
                "commands are written as they run: no [optional] parts or … placeholders (list options in a table instead)");
        });
    }

    [TestCase("--webhook-url", "localhost:5080/v1/webhooks/stripe", "--webhook-url must be an absolute http or https URL")]
    [TestCase("--webhook-url", "ftp://example.com/hook", "--webhook-url must be an absolute http or https URL")]
    [TestCase("--webhook-secret", "not-a-secret", "--webhook-secret must start with whsec_")]
    [TestCase("--port", "70000", "--port must be between 0 and 65535")]
    public async Task Emulator_refuses_bad_options_with_a_message_naming_the_option(string option, string value, string message)
    {
        var dll = Path.Combine(TestPaths.RepositoryRoot, "Tools", "Monetization.StripeEmulator", "bin", Configuration, "net10.0", "Monetization.StripeEmulator.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in option == "--port" ? new[] { dll, option, value } : [dll, "--port", "0", option, value])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await process.WaitForExitAsync(timeout.Token);
        Assert.Multiple(async () =>
        {
            Assert.That(process.ExitCode, Is.Not.Zero);
            Assert.That(await stderr, Does.Contain(message).And.Contain(value));
            Assert.That(await stdout + await stderr, Does.Not.Contain("Unhandled exception"));
        });
    }

    [TestCaseSource(nameof(Blocks))]
    public async Task Documented_command_starts_and_answers(string file, int line)
    {
        var block = DocumentedCommandLines.Read(TestPaths.RepositoryRoot).Single(b => b.File == file && b.Line == line);
        var scratch = Path.Combine(Path.GetTempPath(), "monetization-doc-commands", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(scratch);
        var ports = new Dictionary<int, int>();
        var running = new List<Running>();
        try
        {
            foreach (var command in block.Commands)
            {
                var started = Start(command, ports, scratch);
                running.Add(started);
                await WaitUntilAnsweringAsync(started);
            }

            foreach (var emulator in running.Where(r => r.Command.Program == DocumentedProgram.StripeEmulator && r.WebhookUrl is not null))
            {
                var host = running.FirstOrDefault(r => r.Command.Program == DocumentedProgram.Host && r.BaseUrl.Port == emulator.WebhookUrl!.Port);
                if (host is not null)
                {
                    await AssertWebhooksReachTheHostAsync(emulator);
                }
            }
        }
        finally
        {
            foreach (var process in running.AsEnumerable().Reverse())
            {
                await process.StopAsync();
            }

            TryDelete(scratch);
            await TestDatabases.DropPostgresDatabaseAsync(TestDatabases.DatabaseNameFor(scratch));
        }
    }

    private static Running Start(DocumentedCommand command, Dictionary<int, int> ports, string scratch)
    {
        var project = command.Program == DocumentedProgram.Host ? Path.Combine("Host", "Monetization.Host") : Path.Combine("Tools", "Monetization.StripeEmulator");
        var projectDirectory = Path.Combine(TestPaths.RepositoryRoot, project);
        var dll = Path.Combine(projectDirectory, "bin", Configuration, "net10.0", Path.GetFileName(project) + ".dll");
        Assert.That(File.Exists(dll), Is.True, $"{command}: the program is built beside the tests: {dll}");

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // dotnet run starts a web project in its project directory; a published dll is run from its folder.
            WorkingDirectory = command.ViaDotnetRun ? projectDirectory : Path.GetDirectoryName(dll)!,
        };
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal)
            || k.Contains("__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited); // a fresh shell: only what the document sets
        }

        if (command.ViaDotnetRun && LaunchProfile(projectDirectory) is { } profile)
        {
            foreach (var (name, value) in profile.Environment)
            {
                start.Environment[name] = value;
            }

            if (profile.ApplicationUrl is { } applicationUrl)
            {
                start.Environment["ASPNETCORE_URLS"] = MapPorts(applicationUrl, ports);
            }
        }

        foreach (var (name, value) in command.Environment)
        {
            start.Environment[name] = name == "ConnectionStrings__Postgres" ? PostgresDatabaseFor(scratch) : GeneratedSecret(name, value) ?? MapPorts(value, ports);
        }

        start.ArgumentList.Add(dll);
        var arguments = command.Arguments.ToList();
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = MapPorts(arguments[i], ports);
            if (i > 0 && arguments[i - 1] == "--port")
            {
                argument = Map(int.Parse(argument, CultureInfo.InvariantCulture), ports).ToString(CultureInfo.InvariantCulture);
            }
            else if (i > 0 && arguments[i - 1] == "--state")
            {
                argument = Path.Combine(scratch, Path.GetFileName(argument)); // the emulator writes it
            }

            start.ArgumentList.Add(argument);
        }

        Uri baseUrl;
        Uri? webhookUrl = null;
        if (command.Program == DocumentedProgram.Host)
        {
            start.Environment["Database__DataDirectory"] = Path.Combine(scratch, "host-data-" + Map(0, ports).ToString(CultureInfo.InvariantCulture)); // the Host writes there
            var urls = Option(arguments, "--urls") is { } u ? MapPorts(u, ports) : (start.Environment.TryGetValue("ASPNETCORE_URLS", out var fromProfile) ? fromProfile : null);
            Assert.That(urls, Is.Not.Null, $"{command}: the command says where the Host listens (--urls, or dotnet run's launch profile)");
            baseUrl = new Uri(urls!.Split(';')[0]);
        }
        else
        {
            var port = Option(arguments, "--port");
            Assert.That(port, Is.Not.Null, $"{command}: the command says which port the emulator listens on (--port)");
            baseUrl = new Uri($"http://127.0.0.1:{Map(int.Parse(port!, CultureInfo.InvariantCulture), ports).ToString(CultureInfo.InvariantCulture)}");
            webhookUrl = Option(arguments, "--webhook-url") is { } w ? new Uri(MapPorts(w, ports)) : null;
        }

        var process = Process.Start(start)!;
        var running = new Running(command, process, baseUrl, webhookUrl);
        process.OutputDataReceived += (_, e) => running.Record(e.Data);
        process.ErrorDataReceived += (_, e) => running.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    private static async Task WaitUntilAnsweringAsync(Running running)
    {
        using var http = new HttpClient { BaseAddress = running.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + StartTimeout;
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (running.Process.HasExited)
            {
                Assert.Fail($"{running.Command} exited with {running.Process.ExitCode} instead of serving:\n{running.Command.Text}\n{running.Output}");
            }

            try
            {
                using var request = running.Command.Program == DocumentedProgram.Host
                    ? new HttpRequestMessage(HttpMethod.Get, "/health/ready")
                    : new HttpRequestMessage(HttpMethod.Get, "/v1/customers") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_documented_command") } };
                using var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    if (running.Command.Program == DocumentedProgram.Host)
                    {
                        Assert.That(body, Does.Contain("\"status\":\"ready\""), $"{running.Command}: {body}");
                    }
                    else
                    {
                        Assert.That((string?)JsonNode.Parse(body)?["object"], Is.EqualTo("list"), $"{running.Command}: {body}");
                    }

                    return;
                }

                last = $"{(int)response.StatusCode} {body}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"{running.Command} did not answer at {running.BaseUrl} within {StartTimeout.TotalSeconds} s (last: {last}):\n{running.Command.Text}\n{running.Output}");
    }

    /// <summary>An API call at the emulator emits an event; the Host of the block must answer its delivery with 200.</summary>
    private static async Task AssertWebhooksReachTheHostAsync(Running emulator)
    {
        using var http = new HttpClient { BaseAddress = emulator.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_documented_command");
        using (var created = await http.PostAsync("/v1/customers", new FormUrlEncodedContent([new("email", "docs@example.com")])))
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using (var flushed = await http.PostAsync("/_test/webhooks/flush", null))
        {
            Assert.That(flushed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var log = JsonNode.Parse(await http.GetStringAsync("/_test/events/delivered"))!;
        var attempts = (log["data"] as JsonArray ?? log as JsonArray ?? []).Select(a => a!).ToList();
        Assert.That(attempts.Where(a => (string?)a["type"] == "customer.created").Select(a => (int?)a["status"]), Does.Contain(200),
            $"{emulator.Command}: the Host accepts the emulator's webhooks (URL and secret agree): {log.ToJsonString()}\n{emulator.Output}");
    }

    /// <summary>A value written as <c>"$(cat FILE)"</c> is a secret read from a file: generated here, in the secret's format.</summary>
    /// <summary>
    /// A document's PostgreSQL connection string becomes a fresh database on the test server, one per block (so the Hosts of
    /// one block share it, as the document's Hosts share theirs); without a test server the block is skipped, with why.
    /// </summary>
    private static string PostgresDatabaseFor(string scratch)
    {
        TestDatabases.RequirePostgres();
        return TestDatabases.CreatePostgresDatabaseAsync(TestDatabases.DatabaseNameFor(scratch)).GetAwaiter().GetResult();
    }

    private static string? GeneratedSecret(string name, string value)
    {
        if (!value.StartsWith("$(", StringComparison.Ordinal))
        {
            return null;
        }

        var random = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        return name switch
        {
            _ when name.Contains("WebhookSecrets", StringComparison.Ordinal) => "whsec_" + random,
            _ when name.Contains("SecretKey", StringComparison.Ordinal) => "sk_test_" + random,
            _ => random,
        };
    }

    private static string MapPorts(string text, Dictionary<int, int> ports) =>
        LocalPort().Replace(text, m => m.Groups[1].Value + Map(int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), ports).ToString(CultureInfo.InvariantCulture));

    /// <summary>The free port standing in for a documented one (0: a fresh port each call, for unique names).</summary>
    private static int Map(int documented, Dictionary<int, int> ports)
    {
        if (documented != 0 && ports.TryGetValue(documented, out var mapped))
        {
            return mapped;
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var free = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        if (documented != 0)
        {
            ports[documented] = free;
        }

        return free;
    }

    private static string? Option(List<string> arguments, string name)
    {
        var index = arguments.IndexOf(name);
        return index >= 0 && index + 1 < arguments.Count ? arguments[index + 1] : null;
    }

    private static (Dictionary<string, string> Environment, string? ApplicationUrl)? LaunchProfile(string projectDirectory)
    {
        var path = Path.Combine(projectDirectory, "Properties", "launchSettings.json");
        if (!File.Exists(path))
        {
            return null;
        }

        // dotnet run uses the first profile whose commandName is Project.
        var profile = JsonNode.Parse(File.ReadAllText(path))!["profiles"]!.AsObject()
            .Select(p => p.Value!).First(p => (string?)p["commandName"] == "Project");
        var environment = (profile["environmentVariables"] as JsonObject ?? []).ToDictionary(kv => kv.Key, kv => (string)kv.Value!, StringComparer.Ordinal);
        return (environment, (string?)profile["applicationUrl"]);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a process may still hold a file for a moment.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort.
        }
    }

    [GeneratedRegex(@"((?:localhost|127\.0\.0\.1|\[::1\]):)(\d+)")]
    private static partial Regex LocalPort();

    /// <summary>A started program, its address and everything it printed.</summary>
    private sealed class Running(DocumentedCommand command, Process process, Uri baseUrl, Uri? webhookUrl)
    {
        private readonly ConcurrentQueue<string> _output = new();

        public DocumentedCommand Command { get; } = command;

        public Process Process { get; } = process;

        public Uri BaseUrl { get; } = baseUrl;

        public Uri? WebhookUrl { get; } = webhookUrl;

        public string Output => string.Join('\n', _output);

        public void Record(string? line)
        {
            if (line is not null)
            {
                _output.Enqueue(line);
            }
        }

        public async Task StopAsync()
        {
            try
            {
                if (!Process.HasExited)
                {
                    Process.Kill(entireProcessTree: true);
                }

                await Process.WaitForExitAsync();
            }
            finally
            {
                Process.Dispose();
            }
        }
    }
}
