using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Referrals.Data;
using Monetization.Referrals.Domain;
using Monetization.TestKit;

namespace Monetization.Referrals.Tests;

/// <summary>Helpers shared by the Referrals tests: codes, captures, and the events Subscriptions would publish.</summary>
internal static class ReferralsTestKit
{
    public static MonetizationFactory NewFactory(params (string Key, string Value)[] settings)
    {
        var factory = new MonetizationFactory();
        foreach (var (key, value) in settings)
        {
            factory.WithSetting(key, value);
        }

        _ = factory.Server;
        return factory;
    }

    public static async Task<string> CodeOfAsync(this MonetizationFactory factory, string userId)
    {
        using var client = factory.CreateReadClient();
        var summary = await client.GetJsonAsync($"/v1/referrals/{userId}");
        return summary["code"]!.GetValue<string>();
    }

    public static async Task<JsonNode> SummaryAsync(this MonetizationFactory factory, string userId)
    {
        using var client = factory.CreateReadClient();
        return await client.GetJsonAsync($"/v1/referrals/{userId}");
    }

    public static async Task<JsonNode> CreditsAsync(this MonetizationFactory factory, string userId)
    {
        using var client = factory.CreateReadClient();
        return await client.GetJsonAsync($"/v1/referrals/{userId}/credits");
    }

    /// <summary>Gives <paramref name="referrer"/> a code and captures <paramref name="referred"/> with it; returns the referral id.</summary>
    public static async Task<string> ReferAsync(this MonetizationFactory factory, string referrer, string referred)
    {
        var code = await factory.CodeOfAsync(referrer);
        using var admin = factory.CreateAdminClient();
        using var response = await admin.PostJsonAsync("/v1/referrals/capture", new { user_id = referred, code });
        var body = await response.ReadJsonAsync(201);
        return body["referral_id"]!.GetValue<string>();
    }

    public static FirstPaidTransition FirstPaid(
        this MonetizationFactory factory, string userId, string? chargeId = null, string? invoiceId = null, string? email = null, string? customerId = null, long amount = 700) =>
        new(
            Guid.NewGuid(),
            factory.Clock.GetUtcNow(),
            userId,
            customerId ?? "cus_" + userId,
            "sub_" + userId,
            invoiceId ?? "in_first_" + userId,
            chargeId ?? "ch_first_" + userId,
            "pro",
            amount,
            "gbp",
            email ?? userId + "@example.com");

    public static PaymentRefunded Refund(
        this MonetizationFactory factory, string userId, string chargeId, string? invoiceId, long chargeAmount = 700, long refunded = 700) =>
        new(
            Guid.NewGuid(),
            factory.Clock.GetUtcNow(),
            chargeId,
            "pi_" + chargeId,
            invoiceId,
            userId,
            "cus_" + userId,
            chargeAmount,
            refunded,
            refunded,
            "gbp",
            refunded >= chargeAmount);

    public static SubscriptionChanged SubscriptionChanged(this MonetizationFactory factory, string userId, string status, string tier, long version, string? customerId = null) =>
        new(
            Guid.NewGuid(),
            factory.Clock.GetUtcNow(),
            userId,
            tier == "paid" ? "pro" : "free",
            status,
            tier,
            "monthly",
            customerId ?? "cus_" + userId,
            "sub_" + userId,
            factory.Clock.GetUtcNow().AddMonths(1),
            new PlanEntitlements(null, null, null, null, []),
            version);

    public static StripeCustomerLinked CustomerLinked(this MonetizationFactory factory, string userId, string customerId, string? email) =>
        new(Guid.NewGuid(), factory.Clock.GetUtcNow(), userId, customerId, email);

    public static Task<Referral> ReferralAsync(this MonetizationFactory factory, string referralId) =>
        factory.QueryAsync<ReferralsDbContext, Referral>(db => db.Referrals.AsNoTracking().SingleAsync(r => r.Id == referralId));

    public static Task<List<CreditEntry>> LedgerAsync(this MonetizationFactory factory) =>
        factory.QueryAsync<ReferralsDbContext, List<CreditEntry>>(db => db.CreditEntries.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync());

    public static DateTimeOffset Time(this JsonNode? node) => DateTimeOffset.Parse(node!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
}
