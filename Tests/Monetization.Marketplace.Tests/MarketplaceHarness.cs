using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.IntegrationEvents.Usage;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;
using Monetization.Marketplace.Features.StripeCalls;
using StripeNet = Stripe;
using Monetization.TestKit;

namespace Monetization.Marketplace.Tests;

/// <summary>
/// The Host with its in-process Stripe emulator as the peer (no Stripe key is set), the scheduled payout job off, and
/// helpers that drive the marketplace through the real flows: Connect onboarding on the emulator, checkout paid with a
/// test card, subscriptions bought through <c>POST /v1/subscriptions/checkout</c>, refunds made in Stripe, and Stripe's
/// webhooks translated by Subscriptions into the integration events Marketplace consumes.
/// </summary>
internal sealed class MarketplaceHarness : IAsyncDisposable
{
    public MarketplaceHarness(Action<MonetizationFactory>? configure = null)
    {
        Factory = new MonetizationFactory()
            .WithSetting("Marketplace:PayoutScheduleEnabled", "false")
            .WithSetting("Stripe:MaxNetworkRetries", "0"); // Stripe.net waits 0.5–5 s between retries; a fault here is the call's answer
        configure?.Invoke(Factory);
        Admin = Factory.CreateAdminClient();
        Read = Factory.CreateReadClient();
        StripeApi = Factory.CreateAnonymousClient();
        StripeApi.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_marketplace_tests");
    }

    /// <summary>Attempts of one Stripe client call (the first plus <c>Stripe:MaxNetworkRetries</c>, 0 here): faults to fail one call.</summary>
    public const int AttemptsPerCall = 1;

    public MonetizationFactory Factory { get; }

    public HttpClient Admin { get; }

    public HttpClient Read { get; }

    /// <summary>A client of the emulator's Stripe API (<c>/_stripe/v1/…</c>), to look at the peer's state as the Dashboard would.</summary>
    public HttpClient StripeApi { get; }

    /// <summary>The Host's Stripe client (pointed at the emulator), for what a person does in the Stripe Dashboard (refunds, cancellations).</summary>
    public StripeNet.StripeClient Stripe => Factory.Services.GetRequiredService<StripeNet.StripeClient>();

    public FakeTimeProvider Clock => Factory.Clock;

    /// <summary>The runner of the Stripe calls Marketplace's consumers record (reversals, subscription items).</summary>
    public StripeCallRunner StripeCalls => Factory.Services.GetRequiredService<StripeCallRunner>();

    /// <summary>
    /// Delivers every queued Stripe webhook and integration event and makes every due Stripe call of Marketplace, until
    /// all are quiet (a call causes webhooks, whose events may record calls).
    /// </summary>
    public async Task SettleAsync()
    {
        for (var round = 0; round < 20; round++)
        {
            await Factory.SettleAsync();
            if (await StripeCalls.RunDueAsync(CancellationToken.None) == 0)
            {
                return;
            }
        }

        throw new InvalidOperationException("Marketplace's Stripe calls did not settle in 20 rounds.");
    }

    /// <summary>Marketplace's recorded Stripe calls, oldest first.</summary>
    public Task<List<StripeCall>> StripeCallsAsync() =>
        Factory.QueryAsync<MarketplaceDbContext, List<StripeCall>>(db => db.StripeCalls.AsNoTracking().OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync());

    public async Task<JsonNode> RegisterDeveloperAsync(string id = "dev_1", int? bps = null)
    {
        object body = bps is null
            ? new { developer_id = id, name = "Acme Plugins", email = $"{id}@example.com" }
            : new { developer_id = id, name = "Acme Plugins", email = $"{id}@example.com", revenue_share_bps = bps };
        using var response = await Admin.PostJsonAsync("/v1/marketplace/developers", body);
        return await response.ReadJsonAsync(201);
    }

    /// <summary>Starts onboarding (creates the Express account) and returns the account id.</summary>
    public async Task<string> StartOnboardingAsync(string developerId = "dev_1")
    {
        using var response = await Admin.PostAsync($"/v1/marketplace/developers/{developerId}/onboarding", null);
        return (await response.ReadJsonAsync(200)).Str("stripe_account_id");
    }

    /// <summary>
    /// Onboards the developer: the account link, then the developer completes Stripe's hosted onboarding (emulator), whose
    /// <c>account.updated</c> webhook becomes <c>ConnectedAccountUpdated</c>. Returns the connected account id.
    /// </summary>
    public async Task<string> EnablePayoutsAsync(string developerId = "dev_1")
    {
        var account = await StartOnboardingAsync(developerId);
        await Factory.EmulatorAsync($"accounts/{account}/complete_onboarding");
        await SettleAsync();
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

    public async Task<JsonNode> InstallOfAsync(string userId) => (await Read.GetJsonAsync($"/v1/marketplace/users/{userId}/installs"))["data"]![0]!;

    public Task<JsonNode> EarningsAsync(string developerId = "dev_1", string period = "2026-11") =>
        Read.GetJsonAsync($"/v1/marketplace/developers/{developerId}/earnings?period={period}");

    public async Task<JsonNode> RunPayoutsAsync(string period = "2026-11")
    {
        using var response = await Admin.PostJsonAsync("/v1/marketplace/payouts", new { period });
        return await response.ReadJsonAsync(200);
    }

    /// <summary>
    /// A paid one-time purchase: install (a payment-mode Checkout Session), the user pays it with a test card on the
    /// emulator, and the <c>checkout.session.completed</c> webhook reaches Marketplace as <c>CheckoutCompleted</c>.
    /// </summary>
    public async Task<(string InstallId, string SessionId, string PaymentIntentId)> BuyAsync(string pluginId, string userId)
    {
        var install = await InstallAsync(pluginId, userId);
        var sessionId = install.Str("checkout_session_id");
        await Factory.CompleteCheckoutAsync(sessionId);
        await SettleAsync();
        var session = await StripeGetAsync($"checkout/sessions/{sessionId}");
        return (install.Str("install_id"), sessionId, session.Str("payment_intent"));
    }

    /// <summary>
    /// The user buys the premium plan monthly through Subscriptions' checkout and pays with <paramref name="card"/>; returns
    /// the Stripe subscription id.
    /// </summary>
    public async Task<string> SubscribeAsync(string userId, string card = "4242424242424242")
    {
        using var response = await Admin.PostJsonAsync("/v1/subscriptions/checkout", new { user_id = userId, email = $"{userId}@example.com", plan = "premium", cadence = "monthly" });
        var session = await response.ReadJsonAsync();
        await Factory.CompleteCheckoutAsync(session.Str("session_id"), card);
        await SettleAsync();
        return (await Admin.GetJsonAsync($"/v1/subscriptions/{userId}"))["stripe_subscription_id"]?.GetValue<string>()
            ?? (await LatestAsync<SubscriptionChanged>(e => e.UserId == userId)).StripeSubscriptionId!;
    }

    /// <summary>Refunds (part of) a payment in Stripe, as from the Dashboard; its <c>charge.refunded</c> becomes <c>PaymentRefunded</c>.</summary>
    public async Task RefundAsync(string paymentIntentId, long? amount = null)
    {
        await Stripe.V1.Refunds.CreateAsync(new StripeNet.RefundCreateOptions { PaymentIntent = paymentIntentId, Amount = amount });
        await SettleAsync();
    }

    /// <summary>The latest integration event of a type any module published that matches.</summary>
    public async Task<TEvent> LatestAsync<TEvent>(Func<TEvent, bool>? where = null)
        where TEvent : IIntegrationEvent =>
        (await Factory.OutboxEventsAsync<TEvent>()).Last(e => where?.Invoke(e) ?? true);

    /// <summary>GET on the emulator's Stripe API (<c>/v1/{path}</c>).</summary>
    public async Task<JsonNode> StripeGetAsync(string path, string? stripeAccount = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_stripe/v1/" + path);
        if (stripeAccount is not null)
        {
            request.Headers.Add("Stripe-Account", stripeAccount);
        }

        using var response = await StripeApi.SendAsync(request);
        return await response.ReadJsonAsync(200);
    }

    /// <summary>The <c>data</c> of a Stripe list (first 100).</summary>
    public async Task<IReadOnlyList<JsonNode>> StripeListAsync(string path) =>
        (await StripeGetAsync(path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "limit=100"))["data"]!.AsArray().Select(n => n!).ToList();

    /// <summary>Every transfer Stripe made, newest first.</summary>
    public Task<IReadOnlyList<JsonNode>> TransfersAsync() => StripeListAsync("transfers");

    /// <summary>The reversals of a transfer.</summary>
    public Task<IReadOnlyList<JsonNode>> ReversalsAsync(string transferId) => StripeListAsync($"transfers/{transferId}/reversals");

    /// <summary>The live items of a subscription.</summary>
    public Task<IReadOnlyList<JsonNode>> SubscriptionItemsAsync(string subscriptionId) => StripeListAsync($"subscription_items?subscription={subscriptionId}");

    /// <summary>A connected account's available balance in a currency, minor units.</summary>
    public async Task<long> BalanceAsync(string account, string currency = "usd")
    {
        var balance = await StripeGetAsync("balance", account);
        return balance["available"]!.AsArray().Where(a => a!.Str("currency") == currency).Sum(a => a!.Long("amount"));
    }

    /// <summary>Sets a connected account's available balance (money Stripe already paid out to the developer's bank is gone).</summary>
    public Task SetBalanceAsync(string account, long amount, string currency = "usd") =>
        Factory.EmulatorAsync($"accounts/{account}/balance", new { amount, currency });

    public UsageCharged UsageChargedFor(string userId, string pluginId, string chargeId, long amount, string currency = "usd") =>
        new(Guid.NewGuid(), Factory.Now, chargeId, "uinv_1", userId, pluginId, "2026-11", 120_000, amount, currency);

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        Read.Dispose();
        StripeApi.Dispose();
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
