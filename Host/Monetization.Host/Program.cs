using Monetization.BuildingBlocks.Modules;
using Monetization.Marketplace;
using Monetization.Referrals;
using Monetization.Subscriptions;
using Monetization.Usage;

var builder = WebApplication.CreateBuilder(args);
builder.AddMonetizationPlatform();
builder.AddModule<SubscriptionsModule>();
builder.AddModule<ReferralsModule>();
builder.AddModule<MarketplaceModule>();
builder.AddModule<UsageModule>();

var app = builder.BuildMonetizationApp();
await app.RunAsync();

/// <summary>The Host's entry point (public so WebApplicationFactory can start it in tests).</summary>
public partial class Program;
