using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Monetization.Bench.Baselines;

/// <summary>
/// The start-up baseline: the bench's own executable started as `baseline-server --port N`, a bare Kestrel app with one
/// <c>/health/ready</c> route. Its time from process start to the first 200 is what .NET and Kestrel cost before any
/// Monetization code (configuration, modules, migrations) runs.
/// </summary>
internal static class BareServer
{
    public static async Task<int> RunAsync(int port, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapGet("/health/ready", () => Results.Json(new { status = "ready" }));
        await app.StartAsync(ct);
        await app.WaitForShutdownAsync(ct);
        return 0;
    }

    /// <summary>Creates a slim in-process app listening on a free loopback port (the baselines' common base).</summary>
    public static (WebApplication App, Uri BaseAddress) Create()
    {
        var port = HostProcess.FreeLoopbackPort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        return (builder.Build(), new Uri($"http://127.0.0.1:{port}"));
    }
}
