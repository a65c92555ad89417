namespace Monetization.Bench;

/// <summary>The command line, resolved: bounds of every phase (count AND time) and where the Host is.</summary>
internal sealed record BenchSettings
{
    public required string RepositoryRoot { get; init; }

    public required string HostDll { get; init; }

    /// <summary>Time bound of each timed phase, seconds.</summary>
    public int Seconds { get; init; } = 30;

    /// <summary>Time bound of each data-loading phase (consumption, earnings), seconds.</summary>
    public int LoadSeconds { get; init; } = 3600;

    public long WebhookEvents { get; init; } = 60_000;

    public int WebhookClients { get; init; } = 32;

    public long UsageEvents { get; init; } = 500_000;

    public int UsageClients { get; init; } = 4;

    /// <summary>User counts of <c>usage-ingestion</c>, one Host run each (issue 22; default: 100).</summary>
    public IReadOnlyList<int> UsageUsers { get; init; } = [100];

    public int BatchSize { get; init; } = 1_000;

    /// <summary>Events stored before the consumption query is timed (issue: 10,000,000).</summary>
    public long ConsumptionEvents { get; init; } = 10_000_000;

    /// <summary>Revenue events of the developer before the earnings query is timed (issue: 1,000,000).</summary>
    public long RevenueEvents { get; init; } = 1_000_000;

    /// <summary>How many of <see cref="RevenueEvents"/> go through signed webhooks; the rest are seeded into marketplace.db.</summary>
    public long RevenueWebhookEvents { get; init; } = 2_000;

    /// <summary>Plugin purchases of the timed <c>outbox-throughput</c> phase (issue 22).</summary>
    public long OutboxEvents { get; init; } = 20_000;

    /// <summary>Offered rate of the <c>outbox-throughput</c> phase, events/s (issue 22's target: 2,000).</summary>
    public int OutboxRate { get; init; } = 2_000;

    /// <summary>Timed GETs of the read scenarios.</summary>
    public long Queries { get; init; } = 3_000;

    public int StartupRuns { get; init; } = 5;

    public bool KeepData { get; init; }

    /// <summary>The Hosts' database (issue 17): SQLite files (default) or one PostgreSQL database per run.</summary>
    public BenchProvider Provider { get; init; } = BenchProvider.Sqlite;

    /// <summary>
    /// The PostgreSQL cluster the run's databases are made on, as a connection string to an existing database (default:
    /// <c>MONETIZATION_BENCH_POSTGRES</c>, else <c>Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres</c>).
    /// </summary>
    public string PostgresConnectionString { get; init; } = "Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres";

    /// <summary>Host processes of <c>webhook-intake</c> and <c>usage-ingestion</c>, the load spread over them (issue 17; default 1).</summary>
    public int Hosts { get; init; } = 1;

    /// <summary>Where results/*.json go.</summary>
    public string ResultsDirectory => Path.Combine(RepositoryRoot, "bench", "results");
}
