using System.Diagnostics;
using Monetization.TestKit;
using Npgsql;

namespace Monetization.Platform.Tests;

/// <summary>
/// The PostgreSQL bench command docs/performance.md gives (issue 17), run as a real process: the built bench starts two
/// built Hosts on a fresh database of the test server, spreads the usage batches over them, runs the <c>COPY</c> baseline
/// and checks the rollups. Skipped, with the reason, without a PostgreSQL test server (<c>MONETIZATION_TEST_POSTGRES</c>).
/// </summary>
public sealed class BenchCommandTests
{
    [Test]
    public async Task The_documented_PostgreSQL_bench_command_runs_two_Hosts_and_the_COPY_baseline_and_drops_its_databases()
    {
        var server = TestDatabases.RequirePostgres();
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0
        var bench = Path.Combine(TestPaths.RepositoryRoot, "bench", "Monetization.Bench", "bin", configuration, "net10.0", "Monetization.Bench.dll");
        var host = Path.Combine(TestPaths.RepositoryRoot, "Host", "Monetization.Host", "bin", configuration, "net10.0", "Monetization.Host.dll");
        Assert.That(File.Exists(bench) && File.Exists(host), Is.True, $"the bench and the Host are built beside the tests: {bench}, {host}");

        // The documented command, with this build's Host (the bench would otherwise use, or build, the Release one).
        var start = new ProcessStartInfo("dotnet", [bench, "usage-ingestion", "--provider", "postgres", "--hosts", "2", "--usage-events", "100000", "--host-dll", host])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestPaths.RepositoryRoot,
        };
        start.Environment["MONETIZATION_BENCH_POSTGRES"] = server;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var printed = await output + await errors;

        Assert.That(process.ExitCode, Is.Zero, printed);
        Assert.That(printed, Does.Contain("Database: Postgres").And.Contain("Hosts per run: 2"), printed);
        Assert.That(printed, Does.Contain("users, 2 Hosts on Postgres)"), "the Hosts' phase ran on two Hosts:\n" + printed);
        Assert.That(printed, Does.Contain("baseline: COPY + INSERT … ON CONFLICT per batch"), "the PostgreSQL baseline ran:\n" + printed);
        Assert.That(printed, Does.Contain("usage-ingestion: rollups exact").And.Not.Contain("NOT MET  usage-ingestion: rollups exact"), "the rollups equal the distinct events sent:\n" + printed);
        Assert.That(printed, Does.Contain("Results written to"), printed);

        await using var admin = new NpgsqlConnection(server);
        await admin.OpenAsync();
        await using var left = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname LIKE 'bench\\_usage\\_%'", admin);
        Assert.That(await left.ExecuteScalarAsync(), Is.EqualTo(0L), "the run's databases (Hosts' and baseline's) were dropped");
    }
}
