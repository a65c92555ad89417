using Microsoft.EntityFrameworkCore;
using Monetization.Subscriptions.Data;
using Monetization.TestKit;

namespace Monetization.Subscriptions.Tests.Features;

/// <summary>
/// Issue 16, part 4: every Subscriptions route that calls Stripe answers a Stripe failure by the one rule, never 500:
/// 503 <c>stripe_unavailable</c> with <c>Retry-After</c> when Stripe is down or rate limiting, 502 <c>stripe_error</c> with
/// Stripe's code when Stripe refuses the request; nothing changes, and the same request succeeds once Stripe answers again.
/// Faults come from the emulator (<c>/_stripe/_test/faults</c>); Stripe.net's retries are off so a fault is the answer.
/// </summary>
public sealed class StripeFailureTests : SubscriptionsTestBase
{
    protected override void Configure(MonetizationFactory factory) => factory.WithSetting("Stripe:MaxNetworkRetries", "0");

    private Task Fail(string pathPrefix, int status, string? code = null) =>
        Factory.EmulatorAsync("faults", new { path_prefix = pathPrefix, count = 1, status, method = "POST", code, type = status is >= 500 or 429 ? null : "invalid_request_error" });

    [TestCase(500)]
    [TestCase(503)]
    [TestCase(429)]
    public async Task Checkout_when_Stripe_is_down_or_rate_limiting_is_503_with_Retry_After_and_works_after(int status)
    {
        await Fail("/v1/checkout/sessions", status);
        using (var down = await Admin.PostJsonAsync("/v1/subscriptions/checkout", new { user_id = "u_down", email = "d@example.com", plan = "premium", cadence = "monthly" }))
        {
            await down.ShouldBeStripeUnavailableAsync();
        }

        var retried = await StartCheckoutAsync("u_down");
        Assert.That(retried["session_id"]!.GetValue<string>(), Does.StartWith("cs_"));
    }

    [Test]
    public async Task Checkout_that_Stripe_refuses_is_502_with_Stripes_code()
    {
        await Fail("/v1/checkout/sessions", 400, "parameter_invalid_empty");
        using var refused = await Admin.PostJsonAsync("/v1/subscriptions/checkout", new { user_id = "u_refused", email = "r@example.com", plan = "premium", cadence = "monthly" });
        await refused.ShouldBeStripeRefusedAsync("parameter_invalid_empty");
        Assert.That(await Factory.QueryAsync<SubscriptionsDbContext, string?>(db => db.Accounts.Where(a => a.UserId == "u_refused").Select(a => a.StripeSubscriptionId).FirstOrDefaultAsync()), Is.Null);
    }

    [Test]
    public async Task Portal_when_Stripe_fails_is_503_or_502()
    {
        await SubscribeAsync("u_portal");
        await Fail("/v1/billing_portal/sessions", 502);
        using (var down = await Admin.PostJsonAsync("/v1/subscriptions/portal", new { user_id = "u_portal" }))
        {
            await down.ShouldBeStripeUnavailableAsync();
        }

        await Fail("/v1/billing_portal/sessions", 400, "resource_missing");
        using (var refused = await Admin.PostJsonAsync("/v1/subscriptions/portal", new { user_id = "u_portal" }))
        {
            await refused.ShouldBeStripeRefusedAsync("resource_missing");
        }

        using var ok = await Admin.PostJsonAsync("/v1/subscriptions/portal", new { user_id = "u_portal" });
        Assert.That((await ok.ReadJsonAsync())["url"]!.GetValue<string>(), Does.StartWith("http"));
    }

    [Test]
    public async Task Plan_change_cancel_and_resume_when_Stripe_fails_change_nothing()
    {
        var before = await SubscribeAsync("u_sub");
        Assert.That(before["status"]!.GetValue<string>(), Is.EqualTo("active"));
        var subscriptionPath = "/v1/subscriptions/" + before["stripe_subscription_id"]!.GetValue<string>();

        var calls = new (string Route, object Body)[]
        {
            ("/v1/subscriptions/u_sub/change_plan", new { plan = "pro", cadence = "monthly" }),
            ("/v1/subscriptions/u_sub/cancel", new { at_period_end = true }),
        };
        foreach (var (route, body) in calls)
        {
            await Fail(subscriptionPath, 503);
            using (var down = await Admin.PostJsonAsync(route, body))
            {
                await down.ShouldBeStripeUnavailableAsync();
            }

            await Fail(subscriptionPath, 400, "resource_missing");
            using (var refused = await Admin.PostJsonAsync(route, body))
            {
                await refused.ShouldBeStripeRefusedAsync("resource_missing");
            }
        }

        await Factory.SettleAsync();
        var unchanged = await GetSubscriptionAsync("u_sub");
        Assert.That((unchanged["plan"]!.GetValue<string>(), unchanged["status"]!.GetValue<string>(), unchanged["cancel_at_period_end"]!.GetValue<bool>()),
            Is.EqualTo((before["plan"]!.GetValue<string>(), "active", false)));

        // Cancel now goes through DELETE; resume needs a scheduled cancellation first.
        await Factory.EmulatorAsync("faults", new { path_prefix = subscriptionPath, count = 1, status = 500, method = "DELETE" });
        using (var down = await Admin.PostJsonAsync("/v1/subscriptions/u_sub/cancel", new { at_period_end = false }))
        {
            await down.ShouldBeStripeUnavailableAsync();
        }

        using (var scheduled = await Admin.PostJsonAsync("/v1/subscriptions/u_sub/cancel", new { at_period_end = true }))
        {
            await scheduled.ReadJsonAsync(202);
        }

        await Factory.SettleAsync();
        await Fail(subscriptionPath, 429);
        using (var down = await Admin.PostAsync("/v1/subscriptions/u_sub/resume", null))
        {
            await down.ShouldBeStripeUnavailableAsync();
        }

        using (var resumed = await Admin.PostAsync("/v1/subscriptions/u_sub/resume", null))
        {
            await resumed.ReadJsonAsync(202);
        }

        await Factory.SettleAsync();
        Assert.That((await GetSubscriptionAsync("u_sub"))["cancel_at_period_end"]!.GetValue<bool>(), Is.False);
    }
}
