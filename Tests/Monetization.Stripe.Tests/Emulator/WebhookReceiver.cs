using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Monetization.Stripe.Tests.Emulator;

/// <summary>A tiny Kestrel app that records webhook deliveries (raw body and headers) and can answer with scripted statuses.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _statuses = new();
    private readonly List<Received> _received = [];

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public Func<HttpContext, Task>? OnDelivery { get; set; }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/webhook", receiver.HandleAsync);
        await app.StartAsync();
        receiver.Url = new Uri(app.Urls.First() + "/webhook");
        return receiver;
    }

    public async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var evt = JsonNode.Parse(body)!.AsObject();
        lock (_received)
        {
            _received.Add(new Received(body, context.Request.Headers["Stripe-Signature"].ToString(), context.Request.ContentType ?? string.Empty,
                (string)evt["id"]!, (string)evt["type"]!, evt));
        }

        if (OnDelivery is not null)
        {
            await OnDelivery(context);
        }

        context.Response.StatusCode = _statuses.TryDequeue(out var status) ? status : 200;
    }

    /// <summary>The next deliveries get these statuses (then 200).</summary>
    public void RespondWith(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _statuses.Enqueue(status);
        }
    }

    public List<Received> All()
    {
        lock (_received)
        {
            return _received.ToList();
        }
    }

    public int Count
    {
        get
        {
            lock (_received)
            {
                return _received.Count;
            }
        }
    }

    public List<Received> Since(int index) => All().Skip(index).ToList();

    public static bool Verify(string secret, Received delivery)
    {
        var parts = delivery.Signature.Split(',').Select(p => p.Split('=', 2)).ToList();
        var t = parts.First(p => p[0] == "t")[1];
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(t + "." + delivery.Body)));
        return parts.Where(p => p[0] == "v1").Any(p => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(p[1]), Encoding.ASCII.GetBytes(expected)));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed record Received(string Body, string Signature, string ContentType, string EventId, string Type, JsonObject Event);
}
