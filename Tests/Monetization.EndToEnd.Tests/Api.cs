using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Monetization.TestKit;

namespace Monetization.EndToEnd.Tests;

/// <summary>
/// The HTTP surfaces the story speaks to: our API (admin key), the emulator's Stripe API (<c>/_stripe/v1</c>, any
/// <c>sk_test_</c> key, form bodies) and its hosted pages (anonymous HTML forms). Every call shows the body on failure.
/// </summary>
internal sealed class Api(MonetizationFactory factory) : IDisposable
{
    private readonly HttpClient _admin = factory.CreateAdminClient();
    private readonly HttpClient _anonymous = factory.CreateAnonymousClient();
    private readonly HttpClient _stripe = CreateStripeClient(factory);

    public async Task<JsonNode> GetAsync(string url, int status = 200)
    {
        using var response = await _admin.GetAsync(url);
        return await response.ReadJsonAsync(status);
    }

    /// <summary>GET with the response headers (for <c>X-Billing-Alert</c>).</summary>
    public async Task<(JsonNode Body, string? Alert)> GetWithAlertAsync(string url)
    {
        using var response = await _admin.GetAsync(url);
        var body = await response.ReadJsonAsync(200);
        return (body, response.Headers.TryGetValues("X-Billing-Alert", out var values) ? values.Single() : null);
    }

    public async Task<JsonNode> PostAsync(string url, object? body, int status = 200)
    {
        using var response = await _admin.PostJsonAsync(url, body ?? new { });
        return await response.ReadJsonAsync(status);
    }

    /// <summary>GET on the emulator's Stripe API (<c>/_stripe/v1/…</c>).</summary>
    public async Task<JsonNode> StripeGetAsync(string path)
    {
        using var response = await _stripe.GetAsync("/_stripe/v1/" + path.TrimStart('/'));
        return await response.ReadJsonAsync(200);
    }

    /// <summary>POST a form on the emulator's Stripe API (<c>/_stripe/v1/…</c>).</summary>
    public async Task<JsonNode> StripePostAsync(string path, params (string Key, string Value)[] form)
    {
        using var content = new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));
        using var response = await _stripe.PostAsync("/_stripe/v1/" + path.TrimStart('/'), content);
        return await response.ReadJsonAsync(200);
    }

    /// <summary>Opens a hosted page (the URL our API returned) and asserts it renders a form.</summary>
    public async Task<string> OpenPageAsync(string url)
    {
        using var response = await _anonymous.GetAsync(PathOf(url));
        var html = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), html);
        Assert.That(html, Does.Contain("<form method=\"post\""), "the hosted page shows a form");
        return html;
    }

    /// <summary>Submits a hosted page's form once, as the browser would; the page redirects (303) on success.</summary>
    public async Task<string?> SubmitPageAsync(string url, params (string Key, string Value)[] form)
    {
        using var content = new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));
        using var response = await _anonymous.PostAsync(PathOf(url), content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(303), $"the page redirects after success: {text}");
        return response.Headers.Location?.ToString();
    }

    public void Dispose()
    {
        _admin.Dispose();
        _anonymous.Dispose();
        _stripe.Dispose();
    }

    private static string PathOf(string url) => Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : url;

    private static HttpClient CreateStripeClient(MonetizationFactory factory)
    {
        var client = factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_x");
        return client;
    }
}

/// <summary>Small readers of JSON answers.</summary>
internal static class Json
{
    public static string Str(this JsonNode? node, string path) =>
        At(node, path)?.GetValue<string>() ?? throw new AssertionException($"'{path}' is null in {node?.ToJsonString()}");

    public static string? StrOrNull(this JsonNode? node, string path) => At(node, path) is { } value ? value.GetValue<string>() : null;

    public static long Long(this JsonNode? node, string path) =>
        At(node, path)?.GetValue<long>() ?? throw new AssertionException($"'{path}' is null in {node?.ToJsonString()}");

    public static bool Bool(this JsonNode? node, string path) => At(node, path)?.GetValue<bool>() ?? false;

    public static DateTimeOffset Time(this JsonNode? node, string path) =>
        DateTimeOffset.Parse(node.Str(path), CultureInfo.InvariantCulture);

    public static DateTimeOffset Unix(this JsonNode? node, string path) => DateTimeOffset.FromUnixTimeSeconds(node.Long(path));

    public static JsonArray Arr(this JsonNode? node, string path) =>
        At(node, path)?.AsArray() ?? throw new AssertionException($"'{path}' is null in {node?.ToJsonString()}");

    /// <summary>A dotted path with array indexes: <c>items.data.0.price.id</c>.</summary>
    public static JsonNode? At(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node switch
            {
                JsonArray array when int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var i) => i < array.Count ? array[i] : null,
                JsonObject obj => obj[part],
                _ => null,
            };
        }

        return node;
    }

    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public static string Form(IEnumerable<(string Key, string Value)> pairs)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in pairs)
        {
            text.Append(text.Length == 0 ? "" : "&").Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return text.ToString();
    }
}
