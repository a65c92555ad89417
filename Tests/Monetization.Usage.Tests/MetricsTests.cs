using Monetization.TestKit;

namespace Monetization.Usage.Tests;

/// <summary>Issue 19's read: <c>GET /v1/metrics/usage</c>.</summary>
public sealed class MetricsTests
{
    [Test]
    public async Task A_month_without_invoices_has_no_totals_and_a_malformed_month_is_422()
    {
        await using var factory = new MonetizationFactory();
        using var read = factory.CreateReadClient();
        var metrics = await read.GetJsonAsync("/v1/metrics/usage?month=2026-11");
        Assert.That(metrics["month"]!.GetValue<string>(), Is.EqualTo("2026-11"));
        Assert.That(metrics["totals"]!.AsArray(), Is.Empty);
        await (await read.GetAsync("/v1/metrics/usage?month=2026-13")).ShouldBeProblemAsync(422, "month");
    }
}
