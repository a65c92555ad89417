using System.Diagnostics;
using System.Globalization;

namespace Monetization.Bench;

/// <summary>
/// Where a timed phase's CPU went on the whole machine: the Hosts, PostgreSQL's processes, the bench itself (the load
/// clients and any in-process baseline) and everything else, from Linux's <c>/proc</c> (<c>/proc/stat</c> for the
/// machine, <c>/proc/&lt;pid&gt;/stat</c> for processes named <c>postgres</c>). Divided by the phase's events it gives
/// the CPU each event cost every party, and with it the most events/s the machine's cores could carry at that cost:
/// the bound a target on this machine can be checked against (issue 17's webhooks with two Hosts on PostgreSQL).
/// </summary>
/// <remarks>
/// Counters are in clock ticks (<c>USER_HZ</c>, 100 per second on Linux), so phases shorter than a few seconds are
/// coarse. A PostgreSQL backend that exits during the phase takes its time with it; the bench's pooled connections stay
/// open for the whole phase. Elsewhere than Linux every figure is null.
/// </remarks>
internal sealed class MachineCpu
{
    private const double TicksPerSecond = 100;
    private readonly Snapshot _start;
    private readonly Func<TimeSpan>? _hosts;
    private readonly TimeSpan _hostsStart;

    private MachineCpu(Func<TimeSpan>? hosts)
    {
        _hosts = hosts;
        _hostsStart = hosts?.Invoke() ?? TimeSpan.Zero;
        _start = Snapshot.Take();
    }

    /// <summary>Starts counting; <paramref name="hosts"/> reads the Hosts' CPU time so far (null when the phase has none).</summary>
    public static MachineCpu Start(Func<TimeSpan>? hosts = null) => new(hosts);

    /// <summary>Stops counting and divides by <paramref name="events"/>; null when <c>/proc</c> is not there or no event was counted.</summary>
    public Share? Stop(long events)
    {
        var end = Snapshot.Take();
        if (events <= 0 || _start.Busy is null || end.Busy is null)
        {
            return null;
        }

        static double PerEvent(double seconds, long events) => seconds * 1_000_000 / events;
        var wall = (end.Wall - _start.Wall).TotalSeconds;
        var busy = (end.Busy.Value - _start.Busy.Value) / TicksPerSecond;
        var hosts = _hosts is null ? 0 : (_hosts() - _hostsStart).TotalSeconds;
        var postgres = PostgresSeconds(_start.Postgres, end.Postgres);
        var bench = (end.Bench - _start.Bench).TotalSeconds;
        var other = Math.Max(0, busy - hosts - postgres - bench);
        var machine = PerEvent(busy, events);
        return new Share(
            PerEvent(hosts, events),
            PerEvent(postgres, events),
            PerEvent(bench, events),
            PerEvent(other, events),
            machine,
            wall > 0 ? busy / (wall * Environment.ProcessorCount) : 0,
            machine > 0 ? Environment.ProcessorCount * 1_000_000 / machine : 0);
    }

    /// <summary>Adds the share to <paramref name="result"/> as metrics named after <paramref name="phase"/>.</summary>
    public static void Report(ScenarioResult result, string phase, Share? share)
    {
        if (share is not { } s)
        {
            return;
        }

        result.Metric($"{phase}: CPU µs per event, Hosts", s.HostsMicros, "0");
        if (s.PostgresMicros > 0)
        {
            result.Metric($"{phase}: CPU µs per event, PostgreSQL", s.PostgresMicros, "0");
        }

        result.Metric($"{phase}: CPU µs per event, bench (clients, in-process baseline)", s.BenchMicros, "0");
        result.Metric($"{phase}: CPU µs per event, rest of the machine", s.OtherMicros, "0");
        result.Metric($"{phase}: CPU µs per event, whole machine", s.MachineMicros, "0");
        result.Metric($"{phase}: machine busy, share of {Environment.ProcessorCount} cores", s.BusyShare, "0.00");
        result.Metric($"{phase}: events/s the cores could carry at this cost", s.BoundPerSecond, "0");
    }

    /// <summary>Each party's CPU per event (µs), the machine's share of busy cores (0–1) and the events/s the cores could carry at the machine's cost per event.</summary>
    internal readonly record struct Share(double HostsMicros, double PostgresMicros, double BenchMicros, double OtherMicros, double MachineMicros, double BusyShare, double BoundPerSecond);

    private static double PostgresSeconds(Dictionary<int, long> start, Dictionary<int, long> end)
    {
        long ticks = 0;
        foreach (var (pid, t) in end)
        {
            ticks += t - start.GetValueOrDefault(pid);
        }

        return ticks / TicksPerSecond;
    }

    private sealed record Snapshot(DateTime Wall, long? Busy, Dictionary<int, long> Postgres, TimeSpan Bench)
    {
        public static Snapshot Take()
        {
            using var self = Process.GetCurrentProcess();
            return new Snapshot(DateTime.UtcNow, MachineBusyTicks(), PostgresTicks(), self.TotalProcessorTime);
        }

        /// <summary><c>/proc/stat</c>'s first line: user, nice, system, idle, iowait, irq, softirq, steal; busy = all but idle and iowait.</summary>
        private static long? MachineBusyTicks()
        {
            try
            {
                var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var values = fields.Skip(1).Take(8).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                return values.Sum() - values[3] - values[4];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
            {
                return null;
            }
        }

        /// <summary>utime + stime of every process whose name is <c>postgres</c> (the postmaster, its backends and workers).</summary>
        private static Dictionary<int, long> PostgresTicks()
        {
            var ticks = new Dictionary<int, long>();
            if (!Directory.Exists("/proc"))
            {
                return ticks;
            }

            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid))
                {
                    continue;
                }

                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var open = stat.IndexOf('(', StringComparison.Ordinal);
                    var close = stat.LastIndexOf(')');
                    if (open < 0 || close < open || stat[(open + 1)..close] != "postgres")
                    {
                        continue;
                    }

                    // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
                    var rest = stat[(close + 2)..].Split(' ');
                    ticks[pid] = long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
                {
                    // The process ended while it was read.
                }
            }

            return ticks;
        }
    }
}
