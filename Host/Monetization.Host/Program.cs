using Monetization.BuildingBlocks.Modules;
using Monetization.Dashboard;
using Monetization.Host;
using Monetization.Marketplace;
using Monetization.Referrals;
using Monetization.Subscriptions;
using Monetization.Usage;
using Monetization.Webhooks;

var builder = WebApplication.CreateBuilder(args);
if (StripeHosting.StartupRefusal(builder.Configuration, builder.Environment) is { } refusal)
{
    await Console.Error.WriteLineAsync(refusal); // one line saying what to set (issue 16)
    return 1;
}

builder.AddStripe();
builder.AddTelemetry();
builder.AddMonetizationPlatform();
builder.AddModule<SubscriptionsModule>();
builder.AddModule<ReferralsModule>();
builder.AddModule<MarketplaceModule>();
builder.AddModule<UsageModule>();
builder.AddModule<WebhooksModule>();
builder.AddDashboard();

var app = builder.BuildMonetizationApp(beforeRouting: StripeHosting.MapEmulator);
app.UseStripe();
app.MapDashboard();
app.MapTelemetry();
await app.RunAsync();
return 0;

/// <summary>The Host's entry point (public so WebApplicationFactory can start it in tests).</summary>
public partial class Program;
