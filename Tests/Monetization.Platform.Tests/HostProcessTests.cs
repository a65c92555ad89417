using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Monetization.Platform.Tests;

/// <summary>
/// Starts the built Host as a real process, as `dotnet run` does on a fresh machine: only a separate process proves that
/// the published application loads its native SQLite and its configuration the way an operator's machine will.
/// </summary>
public sealed partial class HostProcessTests
{
    [Test]
    public async Task Built_host_starts_as_a_process_migrates_and_is_ready()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0
        var root = Monetization.TestKit.TestPaths.RepositoryRoot;
        var hostDll = Path.Combine(root, "Host", "Monetization.Host", "bin", configuration, "net10.0", "Monetization.Host.dll");
        Assert.That(File.Exists(hostDll), Is.True, $"the Host is built beside the tests: {hostDll}");

        var data = Path.Combine(Path.GetTempPath(), "monetization-process", Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet", [hostDll, "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(hostDll)!,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Auth__AdminApiKey"] = "process-test-admin-key";
        start.Environment["Stripe__Emulator__Enabled"] = "true"; // no Stripe key: Production needs the explicit opt-in (issue 16)
        start.Environment["Database__DataDirectory"] = data;
        start.Environment["Logging__LogLevel__Default"] = "Information";

        using var process = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var address = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            var match = ListeningOn().Match(e.Data);
            if (match.Success)
            {
                address.TrySetResult(match.Groups[1].Value);
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var completed = await Task.WhenAny(address.Task, Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.That(completed, Is.SameAs(address.Task), "the Host did not start listening:\n" + string.Join("\n", output));
            using var http = new HttpClient { BaseAddress = new Uri(await address.Task) };
            using var ready = await http.GetAsync("/health/ready");
            var body = await ready.Content.ReadAsStringAsync();
            Assert.That((int)ready.StatusCode, Is.EqualTo(200), body);
            Assert.That(body, Does.Contain("\"status\":\"ready\""));
            using var openApi = await http.GetAsync("/openapi.json");
            Assert.That((int)openApi.StatusCode, Is.EqualTo(200));
            Assert.That(File.Exists(Path.Combine(data, "subscriptions.db")), Is.True, "one SQLite file per module in the data directory");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    [Test]
    public async Task Production_without_an_admin_key_refuses_to_start()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var hostDll = Path.Combine(Monetization.TestKit.TestPaths.RepositoryRoot, "Host", "Monetization.Host", "bin", configuration, "net10.0", "Monetization.Host.dll");
        var data = Path.Combine(Path.GetTempPath(), "monetization-process", Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet", [hostDll, "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(hostDll)!,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Database__DataDirectory"] = data;
        start.Environment["Stripe__Emulator__Enabled"] = "true"; // past the Stripe rule, to reach the admin key's
        start.Environment.Remove("Auth__AdminApiKey");

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.That(process.ExitCode, Is.Not.Zero);
        Assert.That(await stdout + await stderr, Does.Contain("Auth:AdminApiKey is required"));
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningOn();
}
