using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Monetization.TestKit;

namespace Monetization.Subscriptions.Tests.Features;

/// <summary>Issue 20: checkout's <c>allow_promotion_codes</c> (seed 001 turns it on), defaulted by <c>Subscriptions:AllowPromotionCodes</c>.</summary>
public sealed class PromotionCodeTests : SubscriptionsTestBase
{
    protected override void Configure(MonetizationFactory factory)
    {
        base.Configure(factory);
        factory.WithSetting("Subscriptions:AllowPromotionCodes", "true");
    }

    private async Task<JsonNode> SessionAsync(string sessionId)
    {
        using var stripe = Factory.CreateAnonymousClient();
        stripe.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_promotion_codes");
        return await stripe.GetJsonAsync($"/_stripe/v1/checkout/sessions/{sessionId}");
    }

    [Test]
    public async Task The_configured_default_applies_and_the_request_overrides_it()
    {
        var byDefault = await StartCheckoutAsync("u_promo_default");
        Assert.That((await SessionAsync(byDefault["session_id"]!.GetValue<string>()))["allow_promotion_codes"]!.GetValue<bool>(), Is.True);

        using var off = await Admin.PostJsonAsync("/v1/subscriptions/checkout",
            new { user_id = "u_promo_off", email = "off@example.com", plan = "premium", cadence = "monthly", allow_promotion_codes = false });
        var session = await off.ReadJsonAsync();
        Assert.That((await SessionAsync(session["session_id"]!.GetValue<string>()))["allow_promotion_codes"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public async Task A_non_boolean_allow_promotion_codes_is_400()
    {
        using var response = await Admin.PostJsonAsync("/v1/subscriptions/checkout", "{\"user_id\":\"u1\",\"plan\":\"premium\",\"cadence\":\"monthly\",\"allow_promotion_codes\":\"yes\"}");
        await response.ShouldBeProblemAsync(400);
    }
}
