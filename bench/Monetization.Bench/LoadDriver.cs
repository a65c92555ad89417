using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Monetization.Bench;

/// <summary>The outcome of one operation: HTTP status (0 for an exception), items it carried, an error text if it failed.</summary>
internal readonly record struct Outcome(int Status, long Items, string? Error = null)
{
    public bool Succeeded => Error is null && Status is >= 200 and < 300;
}

/// <summary>
/// Runs operations from <paramref name="Concurrency"/> workers until <see cref="MaxOperations"/> are started or
/// <see cref="MaxTime"/> has passed, whichever comes first (a started operation finishes). Every operation is timed
/// with a <see cref="Stopwatch"/>; throughput is successful items over the wall time of the whole phase.
/// </summary>
internal sealed record LoadDriver(int Concurrency, long MaxOperations, TimeSpan MaxTime)
{
    /// <summary>
    /// Open-loop pacing: operation <c>i</c> starts no earlier than <c>i × Interval</c> after the phase began (an offered rate
    /// of 1 / Interval), and its latency is timed from when it starts. Null (default): each client sends as soon as it is free.
    /// </summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>
    /// How long a read scenario warms up before its timed phase. A count of 200 reads (~0.1 s) ended inside .NET's tiered
    /// compilation: the read path's methods were still tier 0, and their tier-1 recompilation (with dynamic PGO, two steps,
    /// each after a 100 ms pause in new jitting) ran on the machine's two cores during the first timed phase. That phase's
    /// p99 was twice that of the same reads timed again later (docs/performance.md, fourteenth session).
    /// </summary>
    public static readonly TimeSpan ReadWarmUp = TimeSpan.FromSeconds(3);

    /// <summary>Sequential reads (one client) for <see cref="ReadWarmUp"/>, untimed, before a read phase is timed.</summary>
    public static Task<PhaseResult> WarmUpReadsAsync(Func<long, CancellationToken, Task<Outcome>> operation, CancellationToken cancellationToken)
        => new LoadDriver(1, ReadWarmUpMaxReads, ReadWarmUp).RunAsync("warm-up", operation, cancellationToken);

    /// <summary>More reads than <see cref="ReadWarmUp"/> allows at any latency seen (the time bound ends the warm-up).</summary>
    private const long ReadWarmUpMaxReads = 1_000_000;

    public async Task<PhaseResult> RunAsync(string name, Func<long, CancellationToken, Task<Outcome>> operation, CancellationToken cancellationToken)
    {
        long next = -1;
        long requests = 0, items = 0, errors = 0;
        string? firstError = null;
        var statuses = new ConcurrentDictionary<int, long>();
        var samples = new List<long>[Concurrency];
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(MaxTime.TotalSeconds * Stopwatch.Frequency);

        async Task Worker(int w)
        {
            var mine = samples[w] = new List<long>(capacity: (int)Math.Min(MaxOperations / Concurrency + 1, 1_000_000));
            while (!cancellationToken.IsCancellationRequested && Stopwatch.GetTimestamp() < deadline)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= MaxOperations)
                {
                    break;
                }

                if (Interval is { } interval)
                {
                    var due = started + (long)(index * interval.TotalSeconds * Stopwatch.Frequency);
                    var wait = due - Stopwatch.GetTimestamp();
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken);
                    }
                }

                var t0 = Stopwatch.GetTimestamp();
                Outcome outcome;
                try
                {
                    outcome = await operation(index, cancellationToken);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    outcome = new Outcome(0, 0, e.GetType().Name + ": " + e.Message);
                }

                mine.Add(Stopwatch.GetTimestamp() - t0);
                Interlocked.Increment(ref requests);
                statuses.AddOrUpdate(outcome.Status, 1, static (_, c) => c + 1);
                if (outcome.Succeeded)
                {
                    Interlocked.Add(ref items, outcome.Items);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, $"{outcome.Status} {outcome.Error}", null);
                }
            }
        }

        var workers = Enumerable.Range(0, Concurrency).Select(w => Task.Run(() => Worker(w), cancellationToken)).ToArray();
        await Task.WhenAll(workers);
        var wall = Stopwatch.GetElapsedTime(started);
        var all = samples.Where(s => s is not null).SelectMany(s => s).ToArray();
        return new PhaseResult(name, requests, items, errors, wall, LatencySummary.From(all), new Dictionary<int, long>(statuses), firstError);
    }

    /// <summary>Sends a request and turns the answer into an <see cref="Outcome"/> (the body is read, so the time includes it).</summary>
    public static async Task<Outcome> SendAsync(HttpClient http, HttpRequestMessage request, long items, CancellationToken ct)
    {
        using (request)
        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct))
        {
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                return new Outcome(status, items);
            }

            var body = await response.Content.ReadAsStringAsync(ct);
            return new Outcome(status, 0, body.Length > 300 ? body[..300] : body);
        }
    }

    /// <summary>An HTTP client for loopback load: one pooled connection per worker, no proxy, no decompression.</summary>
    public static HttpClient CreateClient(Uri baseAddress, int connections, string? bearer = null)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
        };
        var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        return http;
    }
}
