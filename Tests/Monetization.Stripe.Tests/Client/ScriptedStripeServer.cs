using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Monetization.Stripe.Tests.Client;

/// <summary>A real Kestrel server on 127.0.0.1:0 that answers from a script and records every attempt.</summary>
internal sealed class ScriptedStripeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ScriptedResponse> _script = new();

    private ScriptedStripeServer(WebApplication app)
    {
        _app = app;
    }

    public ConcurrentQueue<RecordedAttempt> Attempts { get; } = new();

    public string BaseUrl { get; private set; } = "";

    /// <summary>Answer used when the script is empty.</summary>
    public ScriptedResponse Fallback { get; set; } = ScriptedResponse.Json(200, """{"id":"cus_ok","object":"customer"}""");

    public static async Task<ScriptedStripeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new ScriptedStripeServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseUrl = app.Urls.Single();
        return server;
    }

    public ScriptedStripeServer Then(ScriptedResponse response)
    {
        _script.Enqueue(response);
        return this;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        Attempts.Enqueue(new RecordedAttempt(
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers["Idempotency-Key"].ToString(),
            context.Request.Headers["Stripe-Version"].ToString(),
            body));
        var response = _script.TryDequeue(out var next) ? next : Fallback;
        if (response.Hang)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }

        context.Response.StatusCode = response.Status;
        foreach (var (k, v) in response.Headers)
        {
            context.Response.Headers[k] = v;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record RecordedAttempt(string Method, string PathAndQuery, string IdempotencyKey, string StripeVersion, string Body);

internal sealed record ScriptedResponse(int Status, string Body, IReadOnlyDictionary<string, string> Headers, bool Hang = false)
{
    public static ScriptedResponse Json(int status, string body, params (string Name, string Value)[] headers) =>
        new(status, body, headers.ToDictionary(h => h.Name, h => h.Value));

    public static ScriptedResponse Hanging() => new(0, "", new Dictionary<string, string>(), Hang: true);
}
