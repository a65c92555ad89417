using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Monetization.BuildingBlocks.Http;

namespace Monetization.TestKit;

/// <summary>JSON over HTTP the way the API speaks it (snake_case), and assertions on the answers.</summary>
public static class HttpJson
{
    /// <summary>POSTs a JSON body (objects are serialized snake_case; strings are sent as they are).</summary>
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object? body, string? idempotencyKey = null) =>
        client.SendJsonAsync(HttpMethod.Post, url, body, idempotencyKey);

    /// <summary>PATCHes a JSON body.</summary>
    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string url, object? body) =>
        client.SendJsonAsync(HttpMethod.Patch, url, body, null);

    /// <summary>Sends a JSON body with any method.</summary>
    public static async Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string url, object? body, string? idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            var text = body as string ?? JsonSerializer.Serialize(body, ApiJson.Options);
            request.Content = new StringContent(text, Encoding.UTF8, "application/json");
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Reads the body as JSON, asserting the status first (the body is shown on failure).</summary>
    public static async Task<JsonNode> ReadJsonAsync(this HttpResponseMessage response, int expectedStatus = 200)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(expectedStatus), $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered: {text}");
        return JsonNode.Parse(text) ?? throw new AssertionException("Empty JSON body.");
    }

    /// <summary>GETs and reads JSON, asserting the status.</summary>
    public static async Task<JsonNode> GetJsonAsync(this HttpClient client, string url, int expectedStatus = 200)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.GetAsync(url);
        return await response.ReadJsonAsync(expectedStatus);
    }

    /// <summary>
    /// Asserts an RFC 9457 problem: the status, <c>application/problem+json</c>, and (when given) that
    /// <paramref name="field"/> is among the field errors and <paramref name="type"/> ends the problem type.
    /// </summary>
    public static async Task<JsonNode> ShouldBeProblemAsync(this HttpResponseMessage response, int status, string? field = null, string? type = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(status), $"body: {text}");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), $"body: {text}");
        var problem = JsonNode.Parse(text)!;
        Assert.That(problem["status"]!.GetValue<int>(), Is.EqualTo(status));
        Assert.That(problem["title"]?.GetValue<string>(), Is.Not.Null.And.Not.Empty);
        Assert.That(text, Does.Not.Contain("   at "), "problem bodies never carry stack traces");
        if (field is not null)
        {
            var errors = problem["errors"]?.AsObject();
            Assert.That(errors, Is.Not.Null, $"expected field errors naming '{field}': {text}");
            Assert.That(errors!.Select(e => e.Key), Has.Some.EqualTo(field).Or.Some.StartsWith(field + "[").Or.Some.StartsWith(field + "."), $"field errors: {text}");
        }

        if (type is not null)
        {
            Assert.That(problem["type"]!.GetValue<string>(), Does.EndWith("/" + type), $"problem: {text}");
        }

        return problem;
    }
}
