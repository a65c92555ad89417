using System.Net;
using Monetization.IntegrationEvents.Referrals;
using Monetization.TestKit;

namespace Monetization.Referrals.Tests.Features;

/// <summary>Issue 20: an admin grants access days by hand through the referral credit ledger.</summary>
public sealed class ManualGrantTests
{
    [Test]
    public async Task A_manual_grant_extends_credit_until_in_the_same_ledger_and_reaches_Subscriptions()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        using var admin = factory.CreateAdminClient();
        var start = factory.Now;
        using (var first = await admin.PostJsonAsync("/v1/referrals/carol/credits/grants", new { days = 10, reason = "Outage compensation" }))
        {
            var body = await first.ReadJsonAsync(201);
            Assert.That(body["credit_until"]!.GetValue<DateTimeOffset>(), Is.EqualTo(start.AddDays(10)));
            Assert.That((body["entry"]!["reason"]!.GetValue<string>(), body["entry"]!["note"]!.GetValue<string>(), body["entry"]!["source_type"]!.GetValue<string>()),
                Is.EqualTo(("manual_grant", "Outage compensation", "admin")));
        }

        using (var second = await admin.PostJsonAsync("/v1/referrals/carol/credits/grants", new { days = 5, reason = "Support goodwill" }, idempotencyKey: "grant-carol-2"))
        {
            Assert.That((await second.ReadJsonAsync(201))["credit_until"]!.GetValue<DateTimeOffset>(), Is.EqualTo(start.AddDays(15)), "days stack after the credit already granted");
        }

        using (var retry = await admin.PostJsonAsync("/v1/referrals/carol/credits/grants", new { days = 5, reason = "Support goodwill" }, idempotencyKey: "grant-carol-2"))
        {
            Assert.That(retry.Headers.GetValues("Idempotent-Replayed").Single(), Is.EqualTo("true"));
        }

        var credits = await factory.CreditsAsync("carol");
        Assert.That(credits["data"]!.AsArray().Select(e => e!["days"]!.GetValue<int>()), Is.EqualTo(new[] { 10, 5 }), "a retried request grants once");
        Assert.That(credits["credit_until"]!.GetValue<DateTimeOffset>(), Is.EqualTo(start.AddDays(15)));
        var granted = (await factory.OutboxEventsAsync<AccessCreditGranted>()).Where(e => e.UserId == "carol").ToList();
        Assert.That(granted.Select(e => (e.Days, e.Reason, e.SourceId)), Is.EqualTo(new[] { (10, "manual_grant", "admin"), (5, "manual_grant", "admin") }));

        await factory.DrainOutboxAsync();
        var subscription = await factory.CreateReadClient().GetJsonAsync("/v1/subscriptions/carol");
        Assert.That(subscription["credit_until"]!.GetValue<DateTimeOffset>(), Is.EqualTo(start.AddDays(15)).Within(TimeSpan.FromSeconds(1)));
    }

    [TestCase("{\"reason\": \"x\"}", "days")]
    [TestCase("{\"days\": 0, \"reason\": \"x\"}", "days")]
    [TestCase("{\"days\": 3651, \"reason\": \"x\"}", "days")]
    [TestCase("{\"days\": 5}", "reason")]
    [TestCase("{\"days\": 5, \"reason\": \"\"}", "reason")]
    public async Task Bad_grants_are_422_naming_the_field_and_grant_nothing(string body, string field)
    {
        await using var factory = ReferralsTestKit.NewFactory();
        using var admin = factory.CreateAdminClient();
        using var response = await admin.PostAsync("/v1/referrals/dave/credits/grants", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        await response.ShouldBeProblemAsync(422, field);
        Assert.That((await factory.CreditsAsync("dave"))["data"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task A_grant_needs_the_admin_scope_and_readable_json()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        using var read = factory.CreateReadClient();
        using (var forbidden = await read.PostJsonAsync("/v1/referrals/dave/credits/grants", new { days = 5, reason = "x" }))
        {
            Assert.That(forbidden.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }

        using var admin = factory.CreateAdminClient();
        using var malformed = await admin.PostAsync("/v1/referrals/dave/credits/grants", new StringContent("{\"days\": \"five\"", System.Text.Encoding.UTF8, "application/json"));
        await malformed.ShouldBeProblemAsync(400);
    }
}
