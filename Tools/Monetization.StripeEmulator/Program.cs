using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Monetization.StripeEmulator;

/// <summary>
/// Standalone entry point: serves the emulator at <c>http://127.0.0.1:PORT/v1/...</c> (docs/stripe-emulator.md, whose
/// command lines a test runs against the built program). A named class rather than top-level statements, so it never
/// collides with the Host's public <c>Program</c>.
/// </summary>
internal static partial class EmulatorProgram
{
    private static Task<int> Main(string[] args)
    {
        var port = new Option<int>("--port")
        {
            Description = "Port on 127.0.0.1 to listen on (0 = any free port; the log line says which).",
            DefaultValueFactory = _ => 12111,
        };
        port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is var value and (< 0 or > 65535))
            {
                result.AddError($"--port must be between 0 and 65535, got {value.ToString(CultureInfo.InvariantCulture)}.");
            }
        });

        // System.CommandLine 2.0.0 has no built-in conversion to Uri (issue 16): parse it here, absolute http(s) only.
        var webhookUrl = new Option<Uri?>("--webhook-url")
        {
            Description = "Absolute http(s) URL to POST signed webhook events to, e.g. http://localhost:5080/v1/webhooks/stripe. Without it events are only listed by GET /v1/events.",
            CustomParser = ParseWebhookUrl,
        };
        var webhookSecret = new Option<string?>("--webhook-secret") { Description = "Endpoint secret (whsec_…) deliveries are signed with; generated (and logged) when absent." };
        webhookSecret.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } secret && !secret.StartsWith("whsec_", StringComparison.Ordinal))
            {
                result.AddError($"--webhook-secret must start with whsec_ (Stripe's endpoint secret format), got '{secret}'.");
            }
        });
        var state = new Option<string?>("--state") { Description = "JSON file to persist state to and reload from." };
        var root = new RootCommand("Stripe-compatible emulator for Monetization (API version 2026-10-28.endive): the API subset, hosted pages, test clock, signed webhooks.")
        {
            port, webhookUrl, webhookSecret, state,
        };
        root.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(port), parse.GetValue(webhookUrl), parse.GetValue(webhookSecret), parse.GetValue(state), cancellationToken));
        return root.Parse(args).InvokeAsync();
    }

    private static Uri? ParseWebhookUrl(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        result.AddError($"--webhook-url must be an absolute http or https URL (e.g. http://localhost:5080/v1/webhooks/stripe), got '{text}'.");
        return null;
    }

    private static async Task<int> RunAsync(int port, Uri? webhookUrl, string? webhookSecret, string? statePath, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var app = builder.Build();
        StripeEmulator? emulator = null;
        app.Run(context =>
        {
            if (emulator is null)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable; // between listening and the emulator's construction
                return Task.CompletedTask;
            }

            return emulator.HandleAsync(context);
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        // The bound address (port 0 resolves here), so hosted page URLs in objects point at where the emulator really is.
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()?.TrimEnd('/')
            ?? $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        using (emulator = new StripeEmulator(
            new StripeEmulatorOptions
            {
                PublicBaseUrl = url,
                WebhookUrl = webhookUrl,
                WebhookSecret = webhookSecret ?? string.Empty,
                StatePath = statePath,
            },
            app.Logger))
        {
            LogListening(app.Logger, url, StripeEmulator.ApiVersion, emulator.WebhookSecret, webhookUrl?.ToString() ?? "(none: GET /v1/events only)");
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe emulator on {Url}/v1 (API version {ApiVersion}, webhook secret {Secret}, webhooks to {Target})")]
    private static partial void LogListening(ILogger logger, string url, string apiVersion, string secret, string target);
}
