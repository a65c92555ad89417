using System.Globalization;
using Monetization.StripeEmulator;

// Standalone Stripe emulator: serves http://127.0.0.1:PORT/v1/... (see docs/stripe-emulator.md).
var port = 12111;
Uri? webhookUrl = null;
string? secret = null;
string? state = null;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"Missing value for {args[i]}");
    switch (args[i])
    {
        case "--port":
            port = int.Parse(Next(), CultureInfo.InvariantCulture);
            break;
        case "--webhook-url":
            webhookUrl = new Uri(Next());
            break;
        case "--webhook-secret":
            secret = Next();
            break;
        case "--state":
            state = Next();
            break;
        case "--help" or "-h":
            Console.WriteLine("Usage: Monetization.StripeEmulator [--port 12111] [--webhook-url URL] [--webhook-secret whsec_...] [--state FILE]");
            return 0;
        default:
            Console.Error.WriteLine($"Unknown option {args[i]} (try --help).");
            return 2;
    }
}

var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseUrls($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
var app = builder.Build();
var options = new StripeEmulatorOptions
{
    PublicBaseUrl = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
    WebhookUrl = webhookUrl,
    WebhookSecret = secret ?? string.Empty,
    StatePath = state,
};
using var emulator = new StripeEmulator(options, app.Logger);
app.Run(emulator.HandleAsync);
app.Logger.LogInformation("Stripe emulator on http://127.0.0.1:{Port}/v1 — webhook secret {Secret}, webhooks to {Url}", port, emulator.WebhookSecret, webhookUrl?.ToString() ?? "(none)");
await app.RunAsync();
return 0;
