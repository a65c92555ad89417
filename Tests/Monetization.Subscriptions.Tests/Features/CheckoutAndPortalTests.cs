using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Subscriptions.Data;
using Monetization.TestKit;
using Microsoft.EntityFrameworkCore;

namespace Monetization.Subscriptions.Tests.Features;

public sealed class CheckoutAndPortalTests : SubscriptionsTestBase
{
    [Test]
    public async Task Checkout_creates_the_customer_once_and_reuses_it()
    {
        var first = await StartCheckoutAsync("u_1", "premium", "monthly");
        var second = await StartCheckoutAsync("u_1", "pro", "annual");
        Assert.That(first["url"]!.GetValue<string>(), Does.Contain("/checkout/"));
        Assert.That(second["session_id"]!.GetValue<string>(), Is.Not.EqualTo(first["session_id"]!.GetValue<string>()));
        var linked = await EventsFor<StripeCustomerLinked>("u_1", e => e.UserId);
        Assert.That(linked, Has.Count.EqualTo(1));
        Assert.That(linked[0].StripeCustomerId, Does.StartWith("cus_"));
        Assert.That(linked[0].Email, Is.EqualTo("jenny@example.com"));
    }

    [Test]
    public async Task Concurrent_checkouts_of_one_user_create_one_customer()
    {
        var calls = Enumerable.Range(0, 6).Select(_ => Admin.PostJsonAsync("/v1/subscriptions/checkout", new { user_id = "u_race", email = "r@example.com", plan = "premium", cadence = "monthly" }));
        var responses = await Task.WhenAll(calls);
        foreach (var r in responses)
        {
            await r.ReadJsonAsync();
            r.Dispose();
        }

        var customers = await Factory.QueryAsync<SubscriptionsDbContext, List<string?>>(db => db.Accounts.Where(a => a.UserId == "u_race").Select(a => a.StripeCustomerId).ToListAsync());
        Assert.That(customers, Has.Count.EqualTo(1));
        Assert.That(await EventsFor<StripeCustomerLinked>("u_race", e => e.UserId), Has.Count.EqualTo(1));
    }

    [TestCase("{\"email\":\"a@b.co\",\"plan\":\"premium\",\"cadence\":\"monthly\"}", "user_id")]
    [TestCase("{\"user_id\":\"has space\",\"email\":\"a@b.co\",\"plan\":\"premium\",\"cadence\":\"monthly\"}", "user_id")]
    [TestCase("{\"user_id\":\"u1\",\"plan\":\"premium\",\"cadence\":\"monthly\"}", "email")]
    [TestCase("{\"user_id\":\"u1\",\"email\":\"not-an-email\",\"plan\":\"premium\",\"cadence\":\"monthly\"}", "email")]
    [TestCase("{\"user_id\":\"u1\",\"email\":\"a@b.co\",\"plan\":\"gold\",\"cadence\":\"monthly\"}", "plan")]
    [TestCase("{\"user_id\":\"u1\",\"email\":\"a@b.co\",\"plan\":\"free\",\"cadence\":\"monthly\"}", "plan")]
    [TestCase("{\"user_id\":\"u1\",\"email\":\"a@b.co\",\"plan\":\"premium\",\"cadence\":\"weekly\"}", "cadence")]
    [TestCase("{\"user_id\":\"u1\",\"email\":\"a@b.co\",\"plan\":\"premium\"}", "cadence")]
    [TestCase("{\"user_id\":\"u1\",\"email\":\"a@b.co\",\"plan\":\"premium\",\"cadence\":\"monthly\",\"success_url\":\"ftp://x\"}", "success_url")]
    public async Task Checkout_rejects_bad_input_naming_the_field(string body, string field)
    {
        using var response = await Admin.PostJsonAsync("/v1/subscriptions/checkout", body);
        await response.ShouldBeProblemAsync(422, field: field);
        Assert.That(await Factory.QueryAsync<SubscriptionsDbContext, int>(db => db.Accounts.CountAsync()), Is.Zero, "bad input changes nothing");
    }

    [Test]
    public async Task Checkout_rejects_malformed_json_and_needs_an_admin_key()
    {
        using var malformed = await Admin.PostJsonAsync("/v1/subscriptions/checkout", "{\"user_id\":");
        await malformed.ShouldBeProblemAsync(400);
        using var anonymous = Factory.CreateAnonymousClient();
        using var unauthorized = await anonymous.PostJsonAsync("/v1/subscriptions/checkout", new { user_id = "u1", email = "a@b.co", plan = "premium", cadence = "monthly" });
        Assert.That((int)unauthorized.StatusCode, Is.EqualTo(401));
    }

    [Test]
    public async Task Checkout_of_the_plan_already_held_is_a_conflict_and_another_plan_points_to_change_plan()
    {
        await SubscribeAsync("u_dup", "premium", "monthly");
        using var same = await Admin.PostJsonAsync("/v1/subscriptions/checkout", new { user_id = "u_dup", email = "a@b.co", plan = "premium", cadence = "monthly" });
        await same.ShouldBeProblemAsync(409, type: "already_subscribed");
        using var other = await Admin.PostJsonAsync("/v1/subscriptions/checkout", new { user_id = "u_dup", email = "a@b.co", plan = "pro", cadence = "monthly" });
        await other.ShouldBeProblemAsync(409, type: "subscription_exists");
    }

    [Test]
    public async Task Portal_needs_a_stripe_customer()
    {
        using var missing = await Admin.PostJsonAsync("/v1/subscriptions/portal", new { user_id = "nobody" });
        await missing.ShouldBeProblemAsync(404);
        using var bad = await Admin.PostJsonAsync("/v1/subscriptions/portal", new { user_id = "" });
        await bad.ShouldBeProblemAsync(422, field: "user_id");
        await StartCheckoutAsync("u_portal");
        using var ok = await Admin.PostJsonAsync("/v1/subscriptions/portal", new { user_id = "u_portal", return_url = "https://app.example.com/billing" });
        Assert.That((await ok.ReadJsonAsync())["url"]!.GetValue<string>(), Does.Contain("/portal/"));
    }

    [Test]
    public async Task A_user_never_seen_is_free_and_a_malformed_id_is_422()
    {
        var unknown = await GetSubscriptionAsync("stranger");
        Assert.Multiple(() =>
        {
            Assert.That(unknown["plan"]!.GetValue<string>(), Is.EqualTo("free"));
            Assert.That(unknown["status"]!.GetValue<string>(), Is.EqualTo("none"));
            Assert.That(unknown["access"]!["tier"]!.GetValue<string>(), Is.EqualTo("free"));
            Assert.That(unknown["access"]!["reason"]!.GetValue<string>(), Is.EqualTo("none"));
            Assert.That(unknown["entitlements"]!["projects"]!.GetValue<long>(), Is.EqualTo(1));
        });
        using var response = await Admin.GetAsync("/v1/subscriptions/bad%20id");
        await response.ShouldBeProblemAsync(422, field: "user_id");
    }
}
