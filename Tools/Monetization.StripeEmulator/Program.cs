using System.CommandLine;
using System.Globalization;

namespace Monetization.StripeEmulator;

/// <summary>
/// Standalone entry point: serves the emulator at <c>http://127.0.0.1:PORT/v1/...</c> (docs/stripe-emulator.md).
/// A named class rather than top-level statements, so it never collides with the Host's public <c>Program</c>.
/// </summary>
internal static class EmulatorProgram
{
    private static Task<int> Main(string[] args)
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 to listen on.", DefaultValueFactory = _ => 12111 };
        var webhookUrl = new Option<Uri?>("--webhook-url") { Description = "Where to POST signed webhook events." };
        var webhookSecret = new Option<string?>("--webhook-secret") { Description = "Endpoint secret (whsec_…); generated when absent." };
        var state = new Option<string?>("--state") { Description = "JSON file to persist state to and reload from." };
        var root = new RootCommand("Stripe-compatible emulator for Monetization: the API subset, hosted pages, test clock, signed webhooks.")
        {
            port, webhookUrl, webhookSecret, state,
        };
        root.SetAction(async (parse, cancellationToken) =>
        {
            var listen = parse.GetValue(port);
            var url = $"http://127.0.0.1:{listen.ToString(CultureInfo.InvariantCulture)}";
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls(url);
            var app = builder.Build();
            using var emulator = new StripeEmulator(
                new StripeEmulatorOptions
                {
                    PublicBaseUrl = url,
                    WebhookUrl = parse.GetValue(webhookUrl),
                    WebhookSecret = parse.GetValue(webhookSecret) ?? string.Empty,
                    StatePath = parse.GetValue(state),
                },
                app.Logger);
            app.Run(emulator.HandleAsync);
            app.Logger.LogInformation("Stripe emulator on {Url}/v1 (webhook secret {Secret}, webhooks to {Target})", url, emulator.WebhookSecret, parse.GetValue(webhookUrl)?.ToString() ?? "(none)");
            await app.RunAsync(cancellationToken);
            return 0;
        });
        return root.Parse(args).InvokeAsync();
    }
}
