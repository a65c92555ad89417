using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Monetization.EndToEnd.Tests;
using Monetization.IntegrationEvents.Marketplace;
using Monetization.TestKit;

namespace Monetization.Dashboard.Tests;

/// <summary>
/// A Host on Kestrel (a real loopback port a browser can reach; WebApplicationFactory's TestServer cannot be reached) that
/// ran the end-to-end story, and Debian's Chromium driven by Playwright. Never downloads a browser: without
/// <c>/usr/bin/chromium</c> the tests are skipped with a message, except in CI (<c>CI</c> set), where they fail.
/// </summary>
internal sealed class BrowserHost : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private BrowserHost(MonetizationFactory factory, IPlaywright playwright, IBrowser browser, string baseUrl)
    {
        Factory = factory;
        Playwright = playwright;
        Browser = browser;
        BaseUrl = baseUrl;
    }

    public MonetizationFactory Factory { get; }

    public IPlaywright Playwright { get; }

    public IBrowser Browser { get; }

    /// <summary><c>http://localhost:{port}</c>.</summary>
    public string BaseUrl { get; }

    /// <summary>Skips (outside CI) or fails (in CI) when Chromium is absent.</summary>
    public static void RequireChromium()
    {
        if (File.Exists(ChromiumPath))
        {
            return;
        }

        var message = $"{ChromiumPath} is absent: install Debian's Chromium (apt-get install -y chromium) to run the dashboard's browser tests.";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Assert.Fail(message + " CI must run them.");
        }

        Assert.Ignore(message);
    }

    /// <summary>Starts the Host on Kestrel (port 0), runs the story through its API, and starts Chromium.</summary>
    public static async Task<BrowserHost> StartAsync()
    {
        RequireChromium();
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var factory = Story.CreateFactory();
        factory.WithSetting("Outbox:MaxAttempts", "3");
        factory.WithSetting("Webhooks:AllowPrivateTargets", "true").WithSetting("Webhooks:RequireHttps", "false"); // a receiver beside the Host
        factory.WithServices(s => s.AddTransient<INotificationHandler<PluginInstalled>, FlakyConsumer>());
        var port = FreeLoopbackPort();
        var baseUrl = "http://localhost:" + port;
        factory.WithSetting("Stripe:Emulator:PublicBaseUrl", baseUrl + "/_stripe"); // the emulator's hosted pages, as a browser reaches them
        factory.UseKestrel(o => o.ListenLocalhost(port));
        factory.StartServer();
        factory.KestrelAddress = new Uri(baseUrl); // the story's HTTP clients go through Kestrel too

        using (var story = new Story(factory))
        {
            await story.RunAsync();
            Assert.That(story.ProductBugs, Is.Empty, "the story ran clean before the dashboard is walked");
        }

        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
        return new BrowserHost(factory, playwright, browser, baseUrl);
    }

    /// <summary>A port nothing listens on now (bound to port 0 and released).</summary>
    private static int FreeLoopbackPort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>A fresh browser context (own cookies) at <paramref name="width"/> × <paramref name="height"/>.</summary>
    public Task<IBrowserContext> NewContextAsync(int width = 1280, int height = 900) =>
        Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = new ViewportSize { Width = width, Height = height } });

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Factory.DisposeAsync();
    }
}

/// <summary>
/// A consumer of <see cref="PluginInstalled"/> that fails while <see cref="Failing"/> is set (so the event is
/// dead-lettered after <c>Outbox:MaxAttempts</c>) and records what it was delivered otherwise.
/// </summary>
internal sealed class FlakyConsumer : INotificationHandler<PluginInstalled>
{
    public static volatile bool Failing;

    public static readonly System.Collections.Concurrent.ConcurrentBag<Guid> Delivered = [];

    public Task Handle(PluginInstalled notification, CancellationToken cancellationToken)
    {
        if (Failing)
        {
            throw new InvalidOperationException("FlakyConsumer is failing on purpose (dashboard test).");
        }

        Delivered.Add(notification.EventId);
        return Task.CompletedTask;
    }
}
