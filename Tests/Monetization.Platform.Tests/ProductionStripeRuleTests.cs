using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Monetization.Platform.Tests;

/// <summary>
/// Issue 16, part 1: the built Host started as a real process in Production can never fall back to a free emulator. Without
/// <c>Stripe:SecretKey</c> it refuses to start with one line saying what to set; with <c>Stripe:Emulator:Enabled=true</c> it
/// runs the emulator in test mode (every answer says so, the <c>/_test</c> routes need the admin key); with a key it starts
/// against that key's Stripe.
/// </summary>
public sealed class ProductionStripeRuleTests
{
    private const string AdminKey = "mk_process_admin_key_0123456789";

    [Test]
    public async Task Production_without_a_Stripe_key_exits_non_zero_with_one_line_naming_what_to_set()
    {
        await using var host = BuiltHostProcess.Start(new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Auth__AdminApiKey"] = AdminKey,
        });
        var exitCode = await host.WaitForExitAsync();
        var output = host.Output;
        Assert.That(exitCode, Is.Not.Zero, string.Join("\n", output));
        var refusals = output.Where(l => l.Contains("Refusing to start", StringComparison.Ordinal)).ToList();
        Assert.That(refusals, Has.Count.EqualTo(1), string.Join("\n", output));
        Assert.Multiple(() =>
        {
            Assert.That(refusals[0], Does.Contain("Stripe:SecretKey is not set in the Production environment"));
            Assert.That(refusals[0], Does.Contain("Stripe__SecretKey"));
            Assert.That(refusals[0], Does.Contain("Stripe__Emulator__Enabled=true"));
            Assert.That(output, Has.None.Contains("Unhandled exception"), "a clear line, not a stack trace");
            Assert.That(output, Has.None.Contains("Now listening"), "nothing was served");
        });
    }

    [Test]
    public async Task Production_with_the_emulator_enabled_starts_in_test_mode_and_guards_the_test_routes_with_the_admin_key()
    {
        await using var host = BuiltHostProcess.Start(new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Auth__AdminApiKey"] = AdminKey,
            ["Auth__ApiKeys__0__Name"] = "reader",
            ["Auth__ApiKeys__0__Key"] = "mk_process_read_key_0123456789",
            ["Auth__ApiKeys__0__Scopes__0"] = "read",
            ["Stripe__Emulator__Enabled"] = "true",
        });
        using var http = await host.WaitUntilListeningAsync();
        Assert.That(host.Output, Has.Some.Contains("Payments are EMULATED (TEST MODE)"));

        using (var ready = await http.GetAsync("/health/ready"))
        {
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(TestModeHeader(ready), Is.EqualTo("test-mode"), "every answer of the Host says it is test mode");
        }

        using (var anonymous = await http.PostAsJsonAsync("/_stripe/_test/clock/advance", new { seconds = 86_400 }))
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), await anonymous.Content.ReadAsStringAsync());
            Assert.That(anonymous.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(TestModeHeader(anonymous), Is.EqualTo("test-mode"));
        }

        using (var read = new HttpRequestMessage(HttpMethod.Post, "/_stripe/_test/clock/advance") { Content = JsonContent.Create(new { seconds = 86_400 }) })
        {
            read.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "mk_process_read_key_0123456789");
            using var forbidden = await http.SendAsync(read);
            Assert.That(forbidden.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "a read-only key cannot move the clock");
        }

        using (var clockBefore = new HttpRequestMessage(HttpMethod.Get, "/_stripe/_test/clock"))
        {
            clockBefore.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
            using var before = await http.SendAsync(clockBefore);
            Assert.That((await before.Content.ReadFromJsonAsync<JsonObject>())!["offset_seconds"]!.GetValue<long>(), Is.Zero, "the refused advance moved nothing");
        }

        using (var admin = new HttpRequestMessage(HttpMethod.Post, "/_stripe/_test/clock/advance") { Content = JsonContent.Create(new { seconds = 86_400 }) })
        {
            admin.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
            using var advanced = await http.SendAsync(admin);
            var body = await advanced.Content.ReadAsStringAsync();
            Assert.That(advanced.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(JsonNode.Parse(body)!["offset_seconds"]!.GetValue<long>(), Is.EqualTo(86_400).Within(10), "moved by a day (the system clock runs on meanwhile)");
            Assert.That(TestModeHeader(advanced), Is.EqualTo("test-mode"));
        }

        // The Stripe API of the emulator and its hosted pages say test mode too.
        using (var api = new HttpRequestMessage(HttpMethod.Get, "/_stripe/v1/customers"))
        {
            api.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_anything");
            using var customers = await http.SendAsync(api);
            Assert.That(customers.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(TestModeHeader(customers), Is.EqualTo("test-mode"));
        }

        using (var checkout = new HttpRequestMessage(HttpMethod.Post, "/v1/subscriptions/checkout")
        {
            Content = JsonContent.Create(new { user_id = "user_process_1", email = "ada@example.com", plan = "pro", cadence = "monthly" }),
        })
        {
            checkout.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
            using var started = await http.SendAsync(checkout);
            var body = await started.Content.ReadAsStringAsync();
            Assert.That((int)started.StatusCode, Is.InRange(200, 201), body);
            var page = new Uri(JsonNode.Parse(body)!["url"]!.GetValue<string>());
            using var html = await http.GetAsync(page.PathAndQuery);
            var text = await html.Content.ReadAsStringAsync();
            Assert.That(html.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
            Assert.That(TestModeHeader(html), Is.EqualTo("test-mode"));
            Assert.That(text, Does.Contain("id=\"test-mode-banner\"").And.Contain("TEST MODE").And.Contain("no real payment is taken"));
        }
    }

    [Test]
    public async Task Production_with_a_Stripe_key_starts_without_the_emulator()
    {
        await using var host = BuiltHostProcess.Start(new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Auth__AdminApiKey"] = AdminKey,
            ["Stripe__SecretKey"] = "sk_test_x",
            ["Stripe__ApiBase"] = "http://127.0.0.1:9", // unreachable: starting must not need Stripe
            ["Stripe__WebhookSecrets__0"] = "whsec_process_test_secret",
        });
        using var http = await host.WaitUntilListeningAsync();
        using var ready = await http.GetAsync("/health/ready");
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK), await ready.Content.ReadAsStringAsync());
        Assert.That(ready.Headers.Contains("Stripe-Emulator"), Is.False, "a real key is not test mode by emulator");
        using var test = await http.PostAsJsonAsync("/_stripe/_test/clock/advance", new { seconds = 60 });
        Assert.That(test.StatusCode, Is.Not.EqualTo(HttpStatusCode.OK), "no emulator is served");
        Assert.That(host.Output, Has.None.Contains("EMULATED"));
    }

    private static string? TestModeHeader(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Stripe-Emulator", out var values) ? string.Join(",", values) : null;
}
