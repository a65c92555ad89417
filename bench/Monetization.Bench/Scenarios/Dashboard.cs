using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Monetization.Bench.Payloads;
using Monetization.Bench.Seeding;

namespace Monetization.Bench.Scenarios;

/// <summary>
/// Dashboard pages (issue 19: "pages answer in &lt; 100 ms p95 with the bench's data sizes"): the earnings scenario's data
/// (one developer, a one-time plugin, <c>--revenue-webhook-events</c> signed purchase webhooks through the Host, the rest of
/// <c>--revenue-events</c> seeded into marketplace.db), then the operator signs in through the sign-in form and each page
/// (overview, a user, Stripe events, dead letters, marketplace) is fetched <c>--queries</c> times from one client with the
/// sign-in cookie. Target: p95 &lt; 100 ms per page. Usage consumption at 10,000,000 events is the consumption scenario's
/// (the user page reads the same rollups through the same query).
/// </summary>
internal static partial class Dashboard
{
    private const string DeveloperId = "dev_bench";
    private const long Price = 1_500;

    public static async Task<ScenarioResult> RunAsync(BenchSettings settings, CancellationToken ct)
    {
        var result = new ScenarioResult("dashboard");
        var secret = "whsec_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        // An outgoing webhook endpoint that refuses every connection (nothing listens on the discard port): the webhooks page
        // is timed with an endpoint failing and its deliveries retrying, the state an operator opens it for.
        var environment = new Dictionary<string, string>
        {
            ["Stripe__WebhookSecrets__0"] = secret,
            ["Webhooks__AllowPrivateTargets"] = "true",
            ["Webhooks__RequireHttps"] = "false",
        };
        var (from, to) = UsageWorkload.ThisMonthSoFar();
        var period = to.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var earnings = $"/v1/marketplace/developers/{DeveloperId}/earnings?period={period}";
        var total = settings.RevenueEvents;
        var data = HostProcess.NewDataDirectory("dashboard");
        await using var database = await BenchDatabase.CreateAsync(settings, "dashboard", ct);
        environment = database.HostEnvironment(environment);
        try
        {
            long recorded;
            string pluginId;
            await using (var host = await HostProcess.StartAsync(settings, data, environment, ct))
            {
                using var admin = LoadDriver.CreateClient(host.BaseAddress, 8, HostProcess.AdminKey);
                pluginId = await MarketplaceApi.PublishOneTimePluginAsync(admin, DeveloperId, "bench-plugin", "dashboard", Price, ct)
                    ?? throw new InvalidOperationException("POST /v1/marketplace/developers is not available");
                using var endpoint = await admin.PostAsJsonAsync("/v1/webhook_endpoints", new { url = "http://127.0.0.1:9/refused", event_types = new[] { "*" } }, ct);
                endpoint.EnsureSuccessStatusCode();
                recorded = await Earnings.LoadThroughWebhooksAsync(settings, result, admin, host, secret, tag, pluginId, Math.Min(settings.RevenueWebhookEvents, total), earnings, ct);
                await host.StopAsync();
            }

            var seeded = await MarketplaceSeeder.SeedAsync(data, database, DeveloperId, pluginId, total - recorded, Price, "usd", from, to, holdDays: 14, tag, ct);
            result.Metric("revenue events seeded into marketplace.db", seeded, "0");

            await using (var host = await HostProcess.StartAsync(settings, data, environment, ct))
            {
                using var browser = await SignInAsync(host.BaseAddress, ct);
                var pages = new[] { ("/", "overview"), ("/users/user_rev_0001", "user"), ("/stripe-events", "Stripe events"), ("/dead-letters", "dead letters"), ($"/marketplace?period={period}", "marketplace"), ("/webhooks", "webhooks") };
                foreach (var (path, name) in pages)
                {
                    await LoadDriver.WarmUpReadsAsync((_, c) => UsageApi.GetAsync(browser, path, c), ct);
                    var phase = await new LoadDriver(1, settings.Queries, TimeSpan.FromSeconds(settings.Seconds))
                        .RunAsync($"GET {path} ({name} page, {total:N0} revenue events, 1 client)", (_, c) => UsageApi.GetAsync(browser, path, c), ct);
                    result.Phases.Add(phase);
                    result.Check($"{name} page p95 < 100 ms", phase.Latency.P95Ms < 100 && phase.Errors == 0, $"p95 {phase.Latency.P95Ms:0.00} ms, {phase.Errors} errors");
                }

                result.HostPeakMemoryBytes = host.PeakMemoryBytes;
            }
        }
        finally
        {
            if (!settings.KeepData)
            {
                HostProcess.DeleteDirectory(data);
            }
        }

        if (total < 1_000_000)
        {
            result.Notes.Add($"SCALED DOWN: {total:N0} revenue events instead of the issue's 1,000,000 (--revenue-events).");
        }

        return result;
    }

    /// <summary>Signs in through the dashboard's form as a browser does; the client then sends the sign-in cookie.</summary>
    private static async Task<HttpClient> SignInAsync(Uri baseAddress, CancellationToken ct)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = baseAddress };
        using var form = await client.GetAsync(new Uri("/signin", UriKind.Relative), ct);
        var html = await form.Content.ReadAsStringAsync(ct);
        var token = CsrfField().Match(html).Groups[1].Value;
        var cookies = CookiesOf(form);
        using var post = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent([new("__csrf", System.Net.WebUtility.HtmlDecode(token)), new("api_key", HostProcess.AdminKey), new("return_url", "/")]),
        };
        post.Headers.Add("Cookie", cookies);
        using var signedIn = await client.SendAsync(post, ct);
        if ((int)signedIn.StatusCode != 302)
        {
            throw new InvalidOperationException($"dashboard sign-in answered {(int)signedIn.StatusCode}: {await signedIn.Content.ReadAsStringAsync(ct)}");
        }

        client.DefaultRequestHeaders.Add("Cookie", cookies + "; " + CookiesOf(signedIn));
        return client;
    }

    private static string CookiesOf(HttpResponseMessage response) =>
        string.Join("; ", response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Select(v => v.Split(';')[0]) : []);

    [GeneratedRegex("name=\"__csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
