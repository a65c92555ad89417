using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Monetization.Bench;

/// <summary>
/// The Host as a child process (`dotnet Monetization.Host.dll --urls http://127.0.0.1:{port}`), Production environment,
/// its own data directory, logging at Warning. Samples <c>/proc/{pid}/status</c> (VmHWM, VmRSS) every 100 ms for the
/// peak resident memory. Stop is graceful (SIGTERM, then SIGKILL after 15 s).
/// </summary>
internal sealed partial class HostProcess : IAsyncDisposable
{
    public const string AdminKey = "bench-admin-key-0123456789";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly CancellationTokenSource _stopSampling = new();
    private readonly Task _sampler;
    private long _peakRssKb;
    private long _peakHwmKb;
    private int _stopped;

    private HostProcess(Process process, Uri baseAddress, string dataDirectory, long startTimestamp)
    {
        _process = process;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
        StartTimestamp = startTimestamp;
        _sampler = Task.Run(SampleMemoryAsync);
    }

    public Uri BaseAddress { get; }

    public string DataDirectory { get; }

    public int ProcessId => _process.Id;

    /// <summary><see cref="Stopwatch.GetTimestamp"/> just before <see cref="Process.Start()"/>.</summary>
    public long StartTimestamp { get; }

    /// <summary>Process start to the first 200 of /health/ready.</summary>
    public TimeSpan TimeToReady { get; private set; }

    /// <summary>Peak resident set of the Host so far, bytes: max of the kernel's high-water mark (VmHWM) and sampled VmRSS.</summary>
    public long PeakMemoryBytes
    {
        get
        {
            ReadMemory();
            return Math.Max(Interlocked.Read(ref _peakHwmKb), Interlocked.Read(ref _peakRssKb)) * 1024;
        }
    }

    /// <summary>
    /// CPU time the Host has used so far (user + system, all threads). Differences over a timed phase give the Host's CPU
    /// per item, which a shared machine's noise distorts far less than throughput does.
    /// </summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Last lines the Host wrote (for failure reports).</summary>
    public string RecentOutput => string.Join('\n', _output.TakeLast(40));

    /// <summary>A fresh, empty data directory under the temp folder.</summary>
    public static string NewDataDirectory(string label)
    {
        var path = Path.Combine(Path.GetTempPath(), "monetization-bench", $"{label}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Starts the Host and waits for <c>/health/ready</c> to answer 200 (polled every 5 ms).</summary>
    public static Task<HostProcess> StartAsync(BenchSettings settings, string dataDirectory, IReadOnlyDictionary<string, string>? environment, CancellationToken ct)
    {
        var port = FreeLoopbackPort();
        var baseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var start = new ProcessStartInfo("dotnet", [settings.HostDll, "--urls", baseAddress.ToString().TrimEnd('/')])
        {
            WorkingDirectory = Path.GetDirectoryName(settings.HostDll)!,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Auth__AdminApiKey"] = AdminKey;
        start.Environment["Stripe__Emulator__Enabled"] = "true"; // no Stripe key: Production needs the explicit opt-in (issue 16)
        start.Environment["Database__DataDirectory"] = dataDirectory;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Warning";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return LaunchAsync(start, baseAddress, dataDirectory, ct);
    }

    /// <summary>Starts the start-up baseline (this executable's <c>baseline-server</c>) the same way, through `dotnet`.</summary>
    public static Task<HostProcess> StartBareServerAsync(CancellationToken ct)
    {
        var port = FreeLoopbackPort();
        var baseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Monetization.Bench.dll"), "baseline-server", "--port", port.ToString(CultureInfo.InvariantCulture)])
        {
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        return LaunchAsync(start, baseAddress, AppContext.BaseDirectory, ct);
    }

    private static async Task<HostProcess> LaunchAsync(ProcessStartInfo start, Uri baseAddress, string dataDirectory, CancellationToken ct)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var t0 = Stopwatch.GetTimestamp();
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var host = new HostProcess(process, baseAddress, dataDirectory, t0);
        process.OutputDataReceived += (_, e) => host.Capture(e.Data);
        process.ErrorDataReceived += (_, e) => host.Capture(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await host.WaitReadyAsync(TimeSpan.FromSeconds(120), ct);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    private async Task WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = StartTimestamp + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            ct.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The Host exited with code {_process.ExitCode} before it was ready:\n{RecentOutput}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    TimeToReady = Stopwatch.GetElapsedTime(StartTimestamp);
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(5, ct);
        }

        throw new TimeoutException($"The Host was not ready within {timeout.TotalSeconds} s:\n{RecentOutput}");
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 400 && _output.TryDequeue(out _))
        {
        }
    }

    private async Task SampleMemoryAsync()
    {
        while (!_stopSampling.IsCancellationRequested)
        {
            ReadMemory();
            try
            {
                await Task.Delay(100, _stopSampling.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void ReadMemory()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    Max(ref _peakHwmKb, ParseKb(line));
                }
                else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    Max(ref _peakRssKb, ParseKb(line));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // The process is gone; keep the last peak.
        }

        static long ParseKb(string line) => long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);

        static void Max(ref long target, long value)
        {
            var current = Interlocked.Read(ref target);
            while (value > current)
            {
                var seen = Interlocked.CompareExchange(ref target, value, current);
                if (seen == current)
                {
                    return;
                }

                current = seen;
            }
        }
    }

    /// <summary>Stops the Host gracefully (SIGTERM) so SQLite checkpoints; kills it if it has not exited after 15 s.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        ReadMemory();
        if (!_process.HasExited)
        {
            _ = SendSignal(_process.Id, 15);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        await _stopSampling.CancelAsync();
        await _sampler;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        _stopSampling.Dispose();
    }

    /// <summary>Deletes a data directory (best effort).</summary>
    public static void DeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: temp files are removed by the OS eventually.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }

    /// <summary>A port the OS considers free on 127.0.0.1 right now.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
