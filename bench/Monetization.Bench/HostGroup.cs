namespace Monetization.Bench;

/// <summary>
/// The Hosts of one run (issue 17's <c>--hosts N</c>): N processes of the same build, one data directory, one database,
/// started one after another (the first applies the migrations; the others find them applied), each on its own port.
/// The load is spread over them round-robin by operation number: <see cref="For"/>.
/// </summary>
internal sealed class HostGroup : IAsyncDisposable
{
    private readonly List<HostProcess> _hosts;

    private HostGroup(List<HostProcess> hosts) => _hosts = hosts;

    public IReadOnlyList<HostProcess> Hosts => _hosts;

    public HostProcess First => _hosts[0];

    public int Count => _hosts.Count;

    /// <summary>CPU time of all the Hosts so far (user + system).</summary>
    public TimeSpan CpuTime => _hosts.Aggregate(TimeSpan.Zero, (sum, h) => sum + h.CpuTime);

    /// <summary>The largest peak resident set of any one Host, bytes.</summary>
    public long PeakMemoryBytes => _hosts.Max(h => h.PeakMemoryBytes);

    /// <summary>Starts <see cref="BenchSettings.Hosts"/> Hosts on <paramref name="database"/>, each ready before the next starts.</summary>
    public static async Task<HostGroup> StartAsync(BenchSettings settings, string dataDirectory, BenchDatabase database, IReadOnlyDictionary<string, string>? environment, CancellationToken ct)
    {
        var merged = database.HostEnvironment(environment);
        var hosts = new List<HostProcess>();
        try
        {
            for (var i = 0; i < settings.Hosts; i++)
            {
                hosts.Add(await HostProcess.StartAsync(settings, dataDirectory, merged, ct));
            }
        }
        catch
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }

            throw;
        }

        return new HostGroup(hosts);
    }

    /// <summary>One HTTP client per Host, <paramref name="connections"/> pooled connections shared out between them.</summary>
    public HttpClient[] CreateClients(int connections, string? bearer = null) =>
        _hosts.Select(h => LoadDriver.CreateClient(h.BaseAddress, Math.Max(1, connections / _hosts.Count), bearer)).ToArray();

    /// <summary>The client operation <paramref name="index"/> goes to (round-robin over the Hosts).</summary>
    public static HttpClient For(HttpClient[] clients, long index) => clients[index % clients.Length];

    /// <summary>Stops every Host gracefully.</summary>
    public async Task StopAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }
}
