using System.Net;
using System.Net.Http.Headers;
using Monetization.BuildingBlocks.Http;
using Monetization.TestKit;

namespace Monetization.Platform.Tests;

/// <summary>Issue 20: <c>GET /v1/config</c> composed from the modules, the <c>usage:write</c> scope, and the one paging convention.</summary>
public sealed class PublicConfigAndPagingTests
{
    [Test]
    public async Task Config_gives_plans_with_prices_credit_packages_the_slot_price_and_the_publishable_key_without_a_key()
    {
        await using var factory = new MonetizationFactory()
            .WithSetting("Stripe:PublishableKey", "pk_test_frontend")
            .WithSetting("Subscriptions:AllowPromotionCodes", "true")
            .WithSetting("Usage:SlotPrice", "1500");
        var config = await factory.CreateAnonymousClient().GetJsonAsync("/v1/config");
        Assert.That(config["stripe"]!["publishable_key"]!.GetValue<string>(), Is.EqualTo("pk_test_frontend"));
        var modules = config["modules"]!;
        var premium = modules["subscriptions"]!["plans"]!.AsArray().Single(p => p!["key"]!.GetValue<string>() == "premium")!;
        Assert.That(premium["prices"]!.AsArray().Select(p => p!["cadence"]!.GetValue<string>()), Does.Contain("monthly"));
        Assert.That(premium["prices"]![0]!["amount"]!.GetValue<long>(), Is.GreaterThan(0));
        Assert.That(modules["subscriptions"]!["allow_promotion_codes"]!.GetValue<bool>(), Is.True);
        Assert.That(modules["usage"]!["credit_packages"]!.AsArray().Select(p => (p!["package"]!.GetValue<string>(), p["amount"]!.GetValue<long>())),
            Is.EqualTo(new[] { ("small", 500L), ("medium", 1_000L), ("large", 5_000L) }));
        Assert.That((modules["usage"]!["slot_price"]!["amount"]!.GetValue<long>(), modules["usage"]!["slot_price"]!["currency"]!.GetValue<string>()), Is.EqualTo((1_500L, "usd")));

        var text = config.ToJsonString();
        Assert.That(text, Does.Not.Contain("sk_").And.Not.Contain("whsec_").And.Not.Contain(MonetizationFactory.AdminKey));
    }

    [Test]
    public async Task A_secret_key_configured_as_the_publishable_key_is_never_shown()
    {
        await using var factory = new MonetizationFactory().WithSetting("Stripe:PublishableKey", "sk_test_oops");
        var config = await factory.CreateAnonymousClient().GetJsonAsync("/v1/config");
        Assert.That(config["stripe"]!["publishable_key"], Is.Null);
        Assert.That(config.ToJsonString(), Does.Not.Contain("sk_test_oops"));
    }

    [Test]
    public async Task A_usage_write_key_may_ingest_usage_and_nothing_else()
    {
        await using var factory = new MonetizationFactory()
            .WithSetting("Auth:ApiKeys:3:Name", "metering")
            .WithSetting("Auth:ApiKeys:3:Key", "mk_usage_write_0123456789")
            .WithSetting("Auth:ApiKeys:3:Scopes:0", "usage:write");
        using var client = factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "mk_usage_write_0123456789");
        using (var ingest = await client.PostJsonAsync("/v1/usage/events", new { events = new[] { new { event_id = "e1", user_id = "u1", meter = "api_calls", timestamp = factory.Now } } }))
        {
            Assert.That(ingest.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        using (var read = await client.GetAsync("/v1/usage/u1/consumption"))
        {
            var problem = await read.ShouldBeProblemAsync(403);
            Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("'read'"));
        }

        using var admin = await client.PostJsonAsync("/v1/usage/invoices", new { period = "2026-10" });
        Assert.That(admin.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var openapi = await factory.CreateAnonymousClient().GetJsonAsync("/openapi.json");
        Assert.That(openapi["paths"]!["/v1/usage/integrations/litellm"]!["post"]!["x-scope"]!.GetValue<string>(), Is.EqualTo("usage:write"));
    }

    [TestCase(null, 20)]
    [TestCase("1", 1)]
    [TestCase("100", 100)]
    public void A_limit_is_a_whole_number_from_1_to_100_default_20(string? limit, int expected) =>
        Assert.That(Paging.LimitOf(limit), Is.EqualTo(expected));

    [TestCase("0")]
    [TestCase("101")]
    [TestCase("-1")]
    [TestCase("2.5")]
    [TestCase("ten")]
    public void Any_other_limit_is_a_422_naming_limit(string limit)
    {
        Assert.That(Paging.IsValidLimit(limit), Is.False);
        var problem = Assert.Throws<ProblemException>(() => Paging.LimitOf(limit))!;
        Assert.That((problem.Status, problem.Errors!.Keys.Single()), Is.EqualTo((422, "limit")));
    }

    [Test]
    public void A_page_read_with_one_extra_row_knows_whether_more_follow()
    {
        var more = new[] { 1, 2, 3 }.ToPage(2);
        Assert.That((string.Join(",", more.Data), more.HasMore, more.Object), Is.EqualTo(("1,2", true, "list")));
        var last = new[] { 1, 2 }.ToPage(2);
        Assert.That((string.Join(",", last.Data), last.HasMore), Is.EqualTo(("1,2", false)));
    }

    [Test]
    public async Task Every_list_route_of_the_api_declares_the_same_paging_parameters()
    {
        await using var factory = new MonetizationFactory();
        var document = await factory.CreateAnonymousClient().GetJsonAsync("/openapi.json");
        var lists = new[]
        {
            "/v1/marketplace/plugins", "/v1/marketplace/payouts", "/v1/marketplace/users/{user_id}/installs", "/v1/marketplace/developers/{id}/revenue_events",
            "/v1/referrals/{user_id}/credits", "/v1/referrals/{user_id}/referrals", "/v1/stripe_events", "/v1/usage/{user_id}/events", "/v1/usage/{user_id}/invoices",
        };
        foreach (var path in lists)
        {
            var parameters = document["paths"]![path]!["get"]!["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToList();
            Assert.That(parameters, Is.SupersetOf(new[] { "limit", "starting_after" }), path);
        }
    }
}
