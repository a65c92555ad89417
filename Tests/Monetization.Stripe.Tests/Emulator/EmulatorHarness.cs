using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Monetization.StripeEmulator;
using EmulatorServer = Monetization.StripeEmulator.StripeEmulator;

namespace Monetization.Stripe.Tests.Emulator;

/// <summary>Starts the emulator for real (Kestrel on 127.0.0.1:0, mapped at <c>/_stripe</c> like the Host does) plus a webhook receiver.</summary>
internal sealed class EmulatorHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 8, 3, 10, 0, 0, TimeSpan.Zero);

    private WebApplication _app = null!;

    public EmulatorServer Emulator { get; private set; } = null!;

    public WebhookReceiver Receiver { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public string BaseUrl { get; private set; } = null!;

    public ManualClock BaseClock { get; } = new(Start);

    /// <summary>The <c>Stripe-Version</c> header sent with <c>/v1</c> requests: Stripe.net 53.1.0's pinned version unless a test changes it.</summary>
    public string? StripeVersion { get; set; } = "2026-10-28.endive";

    public static async Task<EmulatorHarness> StartAsync(string? statePath = null, bool withWebhooks = true)
    {
        var harness = new EmulatorHarness();
        harness.Receiver = await WebhookReceiver.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Map("/_stripe", b => b.Run(ctx => harness.Emulator.HandleAsync(ctx)));
        await app.StartAsync();
        harness._app = app;
        harness.BaseUrl = app.Urls.First() + "/_stripe";
        harness.Emulator = new EmulatorServer(new StripeEmulatorOptions
        {
            PublicBaseUrl = harness.BaseUrl,
            WebhookUrl = withWebhooks ? harness.Receiver.Url : null,
            WebhookSecret = "whsec_test_emulator_secret",
            StatePath = statePath,
            BaseClock = harness.BaseClock,
        });
        harness.Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(harness.BaseUrl + "/") };
        harness.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_emulator");
        return harness;
    }

    public long Now => Emulator.Clock.GetUtcNow().ToUnixTimeSeconds();

    public async Task<(HttpStatusCode Status, JsonObject Json, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path,
        IEnumerable<(string Key, string Value)>? form = null, string? idempotencyKey = null)
    {
        var pairs = form?.ToList() ?? [];
        var encoded = string.Join("&", pairs.Select(p => Uri.EscapeDataString(p.Key).Replace("%5B", "[").Replace("%5D", "]") + "=" + Uri.EscapeDataString(p.Value)));
        var url = path.TrimStart('/');
        HttpRequestMessage request;
        if (method == HttpMethod.Post)
        {
            request = new HttpRequestMessage(method, url) { Content = new StringContent(encoded, Encoding.UTF8, "application/x-www-form-urlencoded") };
        }
        else
        {
            request = new HttpRequestMessage(method, encoded.Length == 0 ? url : url + (url.Contains('?') ? "&" : "?") + encoded);
        }

        if (StripeVersion is not null)
        {
            request.Headers.TryAddWithoutValidation("Stripe-Version", StripeVersion);
        }
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length > 0 && text.TrimStart().StartsWith('{') ? JsonNode.Parse(text)!.AsObject() : [];
        return (response.StatusCode, json, response);
    }

    public async Task<JsonObject> PostAsync(string path, params (string Key, string Value)[] form)
    {
        var (status, json, _) = await SendAsync(HttpMethod.Post, path, form);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), () => $"POST {path}: {json.ToJsonString()}");
        return json;
    }

    public async Task<JsonObject> GetAsync(string path, params (string Key, string Value)[] query)
    {
        var (status, json, _) = await SendAsync(HttpMethod.Get, path, query);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), () => $"GET {path}: {json.ToJsonString()}");
        return json;
    }

    public async Task<(HttpStatusCode Status, JsonObject Json)> TestAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject());
    }

    /// <summary>Delivers everything queued so the next step's deliveries can be told apart.</summary>
    public async Task<int> FlushAsync()
    {
        var (status, _) = await TestAsync(HttpMethod.Post, "_test/webhooks/flush");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        return Receiver.Count;
    }

    public async Task AdvanceAsync(TimeSpan by)
    {
        var (status, json) = await TestAsync(HttpMethod.Post, "_test/clock/advance", new { seconds = (long)by.TotalSeconds });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), () => json.ToJsonString());
    }

    public async Task<JsonObject> CompleteCheckoutAsync(string sessionId, string card = "4242424242424242")
    {
        var (status, json) = await TestAsync(HttpMethod.Post, $"_test/checkout_sessions/{sessionId}/complete", new { card });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), () => json.ToJsonString());
        return json;
    }

    public async Task<JsonObject> CreatePriceAsync(long amount, string? interval = "month", string name = "Pro", string? product = null)
    {
        var form = new List<(string, string)> { ("currency", "usd"), ("unit_amount", amount.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        if (product is null)
        {
            form.Add(("product_data[name]", name));
        }
        else
        {
            form.Add(("product", product));
        }

        if (interval is not null)
        {
            form.Add(("recurring[interval]", interval));
        }

        return await PostAsync("v1/prices", form.ToArray());
    }

    /// <summary>Creates a subscription checkout for a new customer and completes it with <paramref name="card"/>.</summary>
    public async Task<(JsonObject Session, string SubscriptionId, string CustomerId)> SubscribeAsync(string priceId, string card = "4242424242424242", int? trialDays = null)
    {
        var form = new List<(string, string)>
        {
            ("mode", "subscription"),
            ("customer_email", "jenny@example.com"),
            ("client_reference_id", "user_42"),
            ("line_items[0][price]", priceId),
            ("line_items[0][quantity]", "1"),
            ("success_url", "https://example.com/success?session_id={CHECKOUT_SESSION_ID}"),
            ("cancel_url", "https://example.com/cancel"),
            ("metadata[user_id]", "42"),
            ("subscription_data[metadata][plan]", "pro"),
        };
        if (trialDays is not null)
        {
            form.Add(("subscription_data[trial_period_days]", trialDays.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var session = await PostAsync("v1/checkout/sessions", form.ToArray());
        var completed = await CompleteCheckoutAsync((string)session["id"]!, card);
        return (completed, (string)completed["subscription"]!, (string)completed["customer"]!);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Emulator.Dispose();
        await Receiver.DisposeAsync();
    }
}
