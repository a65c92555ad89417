using System.Globalization;
using System.Text;

namespace Monetization.Bench;

/// <summary>A target from the module issues, checked against a measured number.</summary>
internal sealed record TargetCheck(string Target, bool Met, string Measured);

/// <summary>What a scenario produced. <see cref="Skipped"/> is set when a route it needs is not in the Host yet.</summary>
internal sealed class ScenarioResult(string name)
{
    public string Name { get; } = name;

    public string? Skipped { get; set; }

    public string? Failed { get; set; }

    public List<PhaseResult> Phases { get; } = [];

    public long? HostPeakMemoryBytes { get; set; }

    /// <summary>Host throughput ÷ baseline throughput (or the inverse ratio of times, for start-up), same run.</summary>
    public double? Ratio { get; set; }

    public string? RatioMeaning { get; set; }

    public List<TargetCheck> Targets { get; } = [];

    public SortedDictionary<string, string> Metrics { get; } = new(StringComparer.Ordinal);

    public List<string> Notes { get; } = [];

    public static ScenarioResult Skip(string name, string reason) => new(name) { Skipped = reason };

    public void Check(string target, bool met, string measured) => Targets.Add(new TargetCheck(target, met, measured));

    public void Metric(string key, double value, string format = "0.##") => Metrics[key] = value.ToString(format, CultureInfo.InvariantCulture);

    public string Render()
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"== {Name} ==");
        if (Skipped is not null)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"SKIPPED ({Skipped})");
        }

        if (Failed is not null)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"FAILED: {Failed}");
        }

        if (Phases.Count > 0)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"{"phase",-56} {"requests",9} {"items",10} {"errors",7} {"wall s",8} {"items/s",10} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"max ms",8}");
            foreach (var p in Phases)
            {
                s.AppendLine(CultureInfo.InvariantCulture,
                    $"{p.Name,-56} {p.Requests,9} {p.Items,10} {p.Errors,7} {p.Wall.TotalSeconds,8:0.00} {p.ItemsPerSecond,10:0} {p.Latency.P50Ms,8:0.00} {p.Latency.P95Ms,8:0.00} {p.Latency.P99Ms,8:0.00} {p.Latency.MaxMs,8:0.00}");
                if (p.FirstError is not null)
                {
                    s.AppendLine(CultureInfo.InvariantCulture, $"    first error: {p.FirstError}");
                }
            }
        }

        if (HostPeakMemoryBytes is { } peak)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"Host peak memory (VmHWM): {peak / (1024.0 * 1024.0):0.0} MB");
        }

        if (Ratio is { } ratio)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"Ratio: {ratio:0.000} ({RatioMeaning})");
        }

        foreach (var (key, value) in Metrics)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"{key}: {value}");
        }

        foreach (var note in Notes)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"note: {note}");
        }

        return s.ToString();
    }
}

/// <summary>Where the run happened.</summary>
internal sealed record MachineInfo(int Processors, string CpuModel, string MemoryTotal, string Os, string Runtime, string SqliteVersion)
{
    public static MachineInfo Collect()
    {
        var cpu = "unknown";
        var mem = "unknown";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
            var kb = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))[9..].Trim().TrimEnd('B', 'k').Trim();
            mem = (long.Parse(kb, CultureInfo.InvariantCulture) / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB";
        }
        catch (IOException)
        {
            // Not Linux: leave unknown.
        }

        using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "select sqlite_version()";
        var sqlite = (string)command.ExecuteScalar()!;
        return new MachineInfo(Environment.ProcessorCount, cpu, mem, System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription, sqlite);
    }

    /// <summary>The 1, 5 and 15 minute load averages (the machine is shared: a busy one skews every number).</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    public override string ToString() => $"{Processors} cores ({CpuModel}), {MemoryTotal} RAM, {Os}, {Runtime}, SQLite {SqliteVersion}";
}
