namespace Monetization.Bench.Scenarios;

internal static class Earnings
{
    public static Task<ScenarioResult> RunAsync(BenchSettings settings, CancellationToken ct) => Task.FromResult(ScenarioResult.Skip("earnings", "todo"));
}
