using System.Net;
using System.Text;

namespace Monetization.Stripe.Tests.Client;

/// <summary>Primary handler that records each request and answers 200 with a fixed JSON body.</summary>
internal sealed class CapturingHandler(string responseJson = "{}") : HttpMessageHandler
{
    public List<CapturedRequest> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        Requests.Add(new CapturedRequest(
            request.Method.Method,
            request.RequestUri!,
            request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase),
            request.Content?.Headers.ContentType?.ToString(),
            body));
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(responseJson, Encoding.UTF8, "application/json") };
    }
}

internal sealed record CapturedRequest(string Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? ContentType, byte[]? Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}
