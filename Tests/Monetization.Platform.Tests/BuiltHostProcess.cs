using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Monetization.Platform.Tests;

/// <summary>
/// The built Host (<c>dotnet Monetization.Host.dll</c> from the build output beside the tests) started as a real process on a
/// free port (<c>--urls http://127.0.0.1:0</c>) over a temporary data directory, with the given environment variables.
/// Dispose it to kill the process and delete the data.
/// </summary>
public sealed partial class BuiltHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _data;

    private BuiltHostProcess(IReadOnlyDictionary<string, string?> environment)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0
        var hostDll = Path.Combine(Monetization.TestKit.TestPaths.RepositoryRoot, "Host", "Monetization.Host", "bin", configuration, "net10.0", "Monetization.Host.dll");
        Assert.That(File.Exists(hostDll), Is.True, $"the Host is built beside the tests: {hostDll}");
        _data = Path.Combine(Path.GetTempPath(), "monetization-process", Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet", [hostDll, "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(hostDll)!,
        };
        foreach (var name in new[] { "Stripe__SecretKey", "Stripe__Emulator__Enabled", "Auth__AdminApiKey", "ASPNETCORE_URLS" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["Database__DataDirectory"] = _data;
        start.Environment["Logging__LogLevel__Default"] = "Information";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Receive(e.Data);
        _process.ErrorDataReceived += (_, e) => Receive(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The process id (the outbox's claims name it: <c>machine:pid:…</c>).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Everything the process wrote to stdout and stderr so far, one line each.</summary>
    public IReadOnlyList<string> Output => [.. _output];

    /// <summary>Starts the Host with these environment variables (on top of a fresh data directory and a free port).</summary>
    public static BuiltHostProcess Start(IReadOnlyDictionary<string, string?> environment) => new(environment);

    /// <summary>Waits until the Host listens and returns a client of it.</summary>
    public async Task<HttpClient> WaitUntilListeningAsync()
    {
        var completed = await Task.WhenAny(_address.Task, _process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.That(completed, Is.SameAs(_address.Task), "the Host did not start listening:\n" + string.Join("\n", Output));
        return new HttpClient { BaseAddress = await _address.Task };
    }

    /// <summary>Waits for the process to exit (at most 60 s) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    /// <summary>Kills the process at once (SIGKILL, as <c>kill -9</c>): no shutdown, no last outbox round.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            if (Directory.Exists(_data))
            {
                Directory.Delete(_data, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private void Receive(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        var match = ListeningOn().Match(line);
        if (match.Success)
        {
            _address.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningOn();
}
