using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.IntegrationEvents.Usage;
using Monetization.Stripe;
using Monetization.TestKit;

namespace Monetization.Marketplace.Tests;

/// <summary>The Host with a <see cref="FakeStripe"/>, the scheduled payout job off, and helpers to drive the marketplace.</summary>
internal sealed class MarketplaceHarness : IAsyncDisposable
{
    public MarketplaceHarness(Action<MonetizationFactory>? configure = null)
    {
        Factory = new MonetizationFactory();
        Factory.WithSetting("Marketplace:PayoutScheduleEnabled", "false");
        Factory.WithServices(s =>
        {
            s.RemoveAll<IStripeClient>();
            s.AddSingleton<IStripeClient>(Stripe);
        });
        configure?.Invoke(Factory);
        Admin = Factory.CreateAdminClient();
        Read = Factory.CreateReadClient();
    }

    public MonetizationFactory Factory { get; }

    public FakeStripe Stripe { get; } = new();

    public HttpClient Admin { get; }

    public HttpClient Read { get; }

    public FakeTimeProvider Clock => Factory.Clock;

    public async Task<JsonNode> RegisterDeveloperAsync(string id = "dev_1", int? bps = null)
    {
        object body = bps is null
            ? new { developer_id = id, name = "Acme Plugins", email = $"{id}@example.com" }
            : new { developer_id = id, name = "Acme Plugins", email = $"{id}@example.com", revenue_share_bps = bps };
        using var response = await Admin.PostJsonAsync("/v1/marketplace/developers", body);
        return await response.ReadJsonAsync(201);
    }

    /// <summary>Onboards the developer and delivers Stripe's account.updated with payouts enabled; returns the account id.</summary>
    public async Task<string> EnablePayoutsAsync(string developerId = "dev_1", bool enabled = true)
    {
        using var response = await Admin.PostAsync($"/v1/marketplace/developers/{developerId}/onboarding", null);
        var body = await response.ReadJsonAsync(200);
        var account = body["stripe_account_id"]!.GetValue<string>();
        await Factory.PublishAsync(new ConnectedAccountUpdated(Guid.NewGuid(), Factory.Now, account, enabled, enabled, true));
        return account;
    }

    public async Task<string> PublishPluginAsync(string slug, object pricing, string developerId = "dev_1", string? name = null)
    {
        using var response = await Admin.PostJsonAsync("/v1/marketplace/plugins",
            new { developer_id = developerId, slug, name = name ?? slug.Replace('-', ' '), description = $"The {slug} plugin", pricing });
        var body = await response.ReadJsonAsync(201);
        return body["id"]!.GetValue<string>();
    }

    public async Task<JsonNode> InstallAsync(string pluginId, string userId, int status = 201)
    {
        using var response = await Admin.PostJsonAsync($"/v1/marketplace/plugins/{pluginId}/installs", new { user_id = userId });
        return await response.ReadJsonAsync(status);
    }

    public Task<JsonNode> EarningsAsync(string developerId = "dev_1", string period = "2026-11") =>
        Read.GetJsonAsync($"/v1/marketplace/developers/{developerId}/earnings?period={period}");

    public async Task<JsonNode> RunPayoutsAsync(string period = "2026-11")
    {
        using var response = await Admin.PostJsonAsync("/v1/marketplace/payouts", new { period });
        return await response.ReadJsonAsync(200);
    }

    /// <summary>A paid one-time purchase of <paramref name="pluginId"/> by <paramref name="userId"/>: install, then CheckoutCompleted.</summary>
    public async Task<(string InstallId, string SessionId, string PaymentIntentId)> BuyAsync(string pluginId, string userId, long amount, string currency = "usd")
    {
        var install = await InstallAsync(pluginId, userId);
        var installId = install["install_id"]!.GetValue<string>();
        var sessionId = install["checkout_session_id"]!.GetValue<string>();
        var paymentIntent = "pi_" + installId;
        await Factory.PublishAsync(CheckoutCompletedFor(sessionId, userId, pluginId, installId, amount, currency, paymentIntent));
        return (installId, sessionId, paymentIntent);
    }

    public CheckoutCompleted CheckoutCompletedFor(string sessionId, string userId, string pluginId, string installId, long amount, string currency, string paymentIntent) =>
        new(Guid.NewGuid(), Factory.Now, sessionId, userId, "cus_" + userId, CheckoutPurposes.MarketplacePlugin, amount, currency, paymentIntent,
            new Dictionary<string, string> { ["purpose"] = CheckoutPurposes.MarketplacePlugin, ["plugin_id"] = pluginId, ["install_id"] = installId });

    public PaymentRefunded RefundOf(string paymentIntent, long chargeAmount, long refundedCumulative, long refundedNow, string currency = "usd", string? invoiceId = null) =>
        new(Guid.NewGuid(), Factory.Now, "ch_" + paymentIntent, paymentIntent, invoiceId, null, null, chargeAmount, refundedCumulative, refundedNow, currency,
            refundedCumulative >= chargeAmount);

    public static SubscriptionChanged SubscriptionChangedFor(string userId, string status, long version, string subscriptionId = "sub_1", DateTimeOffset? at = null) =>
        new(Guid.NewGuid(), at ?? DateTimeOffset.UtcNow, userId, "pro", status, status is "active" or "trialing" ? "paid" : "free", "monthly",
            "cus_" + userId, status == "canceled" ? null : subscriptionId, null, new PlanEntitlements(null, null, null, null, []), version);

    public FirstPaidTransition FirstPaidFor(string userId, string subscriptionId = "sub_1") =>
        new(Guid.NewGuid(), Factory.Now, userId, "cus_" + userId, subscriptionId, "in_first_" + userId, "ch_first_" + userId, "pro", 2000, "usd", null);

    public InvoicePaid InvoicePaidFor(string userId, string invoiceId, params InvoiceLine[] lines) =>
        new(Guid.NewGuid(), Factory.Now, userId, "cus_" + userId, invoiceId, "sub_1", "subscription_cycle", lines.Sum(l => l.Amount), lines[0].Currency,
            "ch_" + invoiceId, "pi_" + invoiceId, lines, new Dictionary<string, string>());

    public static InvoiceLine Line(string lineId, long amount, string? itemId = null, IReadOnlyDictionary<string, string>? metadata = null, string currency = "usd") =>
        new(lineId, "price_x", itemId, amount, currency, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, metadata ?? new Dictionary<string, string>());

    public UsageCharged UsageChargedFor(string userId, string pluginId, string chargeId, long amount, string currency = "usd") =>
        new(Guid.NewGuid(), Factory.Now, chargeId, "uinv_1", userId, pluginId, "2026-11", 120_000, amount, currency);

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        Read.Dispose();
        await Factory.DisposeAsync();
    }
}

internal static class JsonExtensions
{
    public static long Long(this JsonNode node, string path)
    {
        JsonNode? current = node;
        foreach (var part in path.Split('.'))
        {
            current = int.TryParse(part, out var index) ? current![index] : current![part];
        }

        return current!.GetValue<long>();
    }

    public static string Str(this JsonNode node, string name) => node[name]!.GetValue<string>();

    /// <summary>The per-currency amounts of an earnings response.</summary>
    public static JsonNode Currency(this JsonNode earnings, string currency) =>
        earnings["totals"]!.AsArray().Single(t => t!["currency"]!.GetValue<string>() == currency)!;
}
