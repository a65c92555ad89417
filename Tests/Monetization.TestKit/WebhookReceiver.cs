using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Monetization.TestKit;

/// <summary>One request the receiver got: the Standard Webhooks headers and the exact body.</summary>
/// <param name="Id">The <c>webhook-id</c> header.</param>
/// <param name="Timestamp">The <c>webhook-timestamp</c> header, Unix seconds.</param>
/// <param name="Signature">The <c>webhook-signature</c> header.</param>
/// <param name="Body">The body as received.</param>
/// <param name="AnsweredWith">The status the receiver answered.</param>
public sealed record ReceivedWebhook(string Id, long Timestamp, string Signature, string Body, int AnsweredWith);

/// <summary>
/// A real HTTP receiver for the product's side: Kestrel on loopback (a free port), recording every POST and answering
/// with the next queued status (200 when none is queued), optionally after a delay.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _answers = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>Everything received, in order.</summary>
    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>How long to wait before answering.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>The URL to register.</summary>
    public string Url { get; private set; } = "";

    /// <summary>Starts a receiver on 127.0.0.1 and a free port.</summary>
    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            if (receiver.Delay > TimeSpan.Zero)
            {
                await Task.Delay(receiver.Delay);
            }

            var status = receiver._answers.TryDequeue(out var queued) ? queued : 200;
            receiver.Received.Enqueue(new ReceivedWebhook(
                context.Request.Headers["webhook-id"].ToString(),
                long.Parse(context.Request.Headers["webhook-timestamp"].ToString(), System.Globalization.CultureInfo.InvariantCulture),
                context.Request.Headers["webhook-signature"].ToString(),
                body,
                status));
            context.Response.StatusCode = status;
            await context.Response.WriteAsync(status == 200 ? "ok" : $"answered {status}");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal) + "/hooks";
        return receiver;
    }

    /// <summary>Answers the next requests with these statuses, in order.</summary>
    public void AnswerNext(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _answers.Enqueue(status);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
