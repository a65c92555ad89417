using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Monetization.Bench;
using Monetization.Bench.Baselines;
using Monetization.Bench.Scenarios;

var scenarios = new Dictionary<string, Func<BenchSettings, CancellationToken, Task<ScenarioResult>>>(StringComparer.Ordinal)
{
    ["startup"] = StartupTime.RunAsync,
    ["webhook-intake"] = WebhookIntake.RunAsync,
    ["usage-ingestion"] = UsageIngestion.RunAsync,
    ["consumption"] = Consumption.RunAsync,
    ["earnings"] = Earnings.RunAsync,
    ["dashboard"] = Dashboard.RunAsync,
    ["outbox-throughput"] = OutboxThroughput.RunAsync,
};

var scenario = new Argument<string>("scenario") { Description = $"One of: {string.Join(", ", scenarios.Keys)}, or all." };
scenario.AcceptOnlyFromAmong([.. scenarios.Keys, "all"]);
var seconds = new Option<int>("--seconds") { Description = "Time bound of each timed phase, seconds.", DefaultValueFactory = _ => 30 };
var loadSeconds = new Option<int>("--load-seconds") { Description = "Time bound of each data-loading phase, seconds.", DefaultValueFactory = _ => 3600 };
var webhookEvents = new Option<long>("--webhook-events") { Description = "Webhook events to post (host and baseline each).", DefaultValueFactory = _ => 60_000 };
var usageEvents = new Option<long>("--usage-events") { Description = "Usage events to post in batches of 1,000 (host and baseline each).", DefaultValueFactory = _ => 500_000 };
var usageUsers = new Option<int[]>("--users") { Description = "usage-ingestion: user counts the events are spread over, one Host run each (e.g. --users 100 10000 100000).", DefaultValueFactory = _ => [100], AllowMultipleArgumentsPerToken = true };
var events = new Option<long>("--events") { Description = "Usage events stored before timing the consumption query.", DefaultValueFactory = _ => 10_000_000 };
var revenueEvents = new Option<long>("--revenue-events") { Description = "Revenue events of the developer before timing the earnings query.", DefaultValueFactory = _ => 1_000_000 };
var revenueWebhookEvents = new Option<long>("--revenue-webhook-events") { Description = "How many revenue events arrive as signed webhooks (the rest are seeded).", DefaultValueFactory = _ => 2_000 };
var outboxEvents = new Option<long>("--outbox-events") { Description = "outbox-throughput: plugin purchases of the timed phase.", DefaultValueFactory = _ => 20_000 };
var outboxRate = new Option<int>("--outbox-rate") { Description = "outbox-throughput: offered rate, events/s.", DefaultValueFactory = _ => 2_000 };
var queries = new Option<long>("--queries") { Description = "Timed GET requests of the read scenarios.", DefaultValueFactory = _ => 3_000 };
var startupRuns = new Option<int>("--startup-runs") { Description = "Start-ups per variant (fresh, existing data).", DefaultValueFactory = _ => 5 };
var hostDll = new Option<string?>("--host-dll") { Description = "Monetization.Host.dll to run (default: the Release build in this repository)." };
var keepData = new Option<bool>("--keep-data") { Description = "Keep the Host's data directories (printed) instead of deleting them." };
var provider = new Option<BenchProvider>("--provider") { Description = "The Hosts' database: sqlite (files in the data directory) or postgres (a fresh database per run on --postgres).", DefaultValueFactory = _ => BenchProvider.Sqlite };
var postgres = new Option<string?>("--postgres") { Description = "Connection string of an existing database on the PostgreSQL cluster to use (default: MONETIZATION_BENCH_POSTGRES, else Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres)." };
var hosts = new Option<int>("--hosts") { Description = "webhook-intake, usage-ingestion: Host processes on one database, the load spread over them.", DefaultValueFactory = _ => 1 };

var root = new RootCommand("Monetization benchmarks: starts the Host on loopback with a fresh data directory and measures throughput, latency, memory and ratios to baselines.")
{
    scenario, seconds, loadSeconds, webhookEvents, usageEvents, usageUsers, events, revenueEvents, revenueWebhookEvents, outboxEvents, outboxRate, queries, startupRuns, hostDll, keepData, provider, postgres, hosts,
};

root.SetAction(async (parse, cancellationToken) =>
{
    var repo = Locations.RepositoryRoot();
    var settings = new BenchSettings
    {
        RepositoryRoot = repo,
        HostDll = parse.GetValue(hostDll) ?? await Locations.EnsureHostBuiltAsync(repo, cancellationToken),
        Seconds = parse.GetValue(seconds),
        LoadSeconds = parse.GetValue(loadSeconds),
        WebhookEvents = parse.GetValue(webhookEvents),
        UsageEvents = parse.GetValue(usageEvents),
        UsageUsers = parse.GetValue(usageUsers) ?? [100],
        ConsumptionEvents = parse.GetValue(events),
        RevenueEvents = parse.GetValue(revenueEvents),
        RevenueWebhookEvents = parse.GetValue(revenueWebhookEvents),
        OutboxEvents = parse.GetValue(outboxEvents),
        OutboxRate = parse.GetValue(outboxRate),
        Queries = parse.GetValue(queries),
        StartupRuns = parse.GetValue(startupRuns),
        KeepData = parse.GetValue(keepData),
        Provider = parse.GetValue(provider),
        PostgresConnectionString = parse.GetValue(postgres) ?? Environment.GetEnvironmentVariable("MONETIZATION_BENCH_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres",
        Hosts = parse.GetValue(hosts),
    };
    if (settings.Hosts is < 1 or > 8)
    {
        Console.Error.WriteLine("--hosts takes 1 to 8.");
        return 2;
    }

    if (settings.UsageUsers.Count == 0 || settings.UsageUsers.Any(u => u is < 1 or > 1_000_000))
    {
        Console.Error.WriteLine("--users takes counts from 1 to 1,000,000.");
        return 2;
    }

    if (settings.OutboxRate is < 1 or > 100_000 || settings.OutboxEvents < 1)
    {
        Console.Error.WriteLine("--outbox-rate must be 1..100,000 events/s and --outbox-events at least 1.");
        return 2;
    }

    if (settings.Seconds is <= 0 or > 240)
    {
        Console.Error.WriteLine("--seconds must be 1..240 (webhook signatures are made before the timed phase and Stripe's tolerance is 300 s).");
        return 2;
    }

    var machine = MachineInfo.Collect();
    var chosen = parse.GetValue(scenario)!;
    var names = chosen == "all" ? scenarios.Keys.ToList() : [chosen];
    var startedAt = DateTimeOffset.UtcNow;
    Console.WriteLine($"Monetization bench {startedAt:yyyy-MM-dd HH:mm:ss}Z on {machine}");
    Console.WriteLine($"Database: {settings.Provider}{(settings.Provider == BenchProvider.Postgres ? " on " + Redacted(settings.PostgresConnectionString) : "")}; Hosts per run: {settings.Hosts}");
    Console.WriteLine($"Host: {settings.HostDll}; machine load average (1/5/15 min): {MachineInfo.LoadAverage()}");
    Console.WriteLine($"Bounds: {settings.Seconds} s per timed phase, {settings.LoadSeconds} s per load phase; webhook events {settings.WebhookEvents}, usage events {settings.UsageEvents} over {string.Join("/", settings.UsageUsers)} users, consumption events {settings.ConsumptionEvents}, revenue events {settings.RevenueEvents} ({settings.RevenueWebhookEvents} via webhooks), queries {settings.Queries}, start-ups {settings.StartupRuns}");
    Console.WriteLine();

    var results = new List<ScenarioResult>();
    foreach (var name in names)
    {
        Console.WriteLine($"-- running {name} …");
        var loadBefore = MachineInfo.LoadAverage();
        var clock = Stopwatch.StartNew();
        ScenarioResult result;
        try
        {
            result = await scenarios[name](settings, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            result = new ScenarioResult(name) { Failed = e.GetType().Name + ": " + e.Message };
        }

        result.Metric("scenario wall time s", clock.Elapsed.TotalSeconds, "0.0");
        result.Metrics["machine load average (1/5/15 min) before, after"] = $"{loadBefore}; {MachineInfo.LoadAverage()}";
        results.Add(result);
        Console.WriteLine(result.Render());
    }

    Console.WriteLine("== targets ==");
    foreach (var result in results)
    {
        if (result.Skipped is not null)
        {
            Console.WriteLine($"SKIPPED  {result.Name}: {result.Skipped}");
        }
        else if (result.Failed is not null)
        {
            Console.WriteLine($"FAILED   {result.Name}: {result.Failed}");
        }

        foreach (var target in result.Targets)
        {
            Console.WriteLine($"{(target.Met ? "MET    " : "NOT MET")}  {result.Name}: {target.Target} — measured {target.Measured}");
        }
    }

    Directory.CreateDirectory(settings.ResultsDirectory);
    var file = Path.Combine(settings.ResultsDirectory, startedAt.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + ".json");
    await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { started_at = startedAt, machine, settings, scenarios = results }, ResultJson.Options), cancellationToken);
    Console.WriteLine();
    Console.WriteLine($"Results written to {file}");
    return results.Any(r => r.Failed is not null) ? 1 : 0;
});

// The cluster's password (if any) stays out of the printed header and the results file.
static string Redacted(string connectionString) => new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Password = null }.ConnectionString;

var baselineServer = new Command("baseline-server", "Internal: a bare Kestrel app (the start-up baseline).") { Hidden = true };
var baselinePort = new Option<int>("--port") { Required = true };
baselineServer.Options.Add(baselinePort);
baselineServer.SetAction((parse, cancellationToken) => BareServer.RunAsync(parse.GetValue(baselinePort), cancellationToken));
root.Subcommands.Add(baselineServer);

return await root.Parse(args).InvokeAsync();
