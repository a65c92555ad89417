using Monetization.TestKit;

namespace Monetization.Platform.Tests;

/// <summary>
/// Every module accepts and rejects the same ids (issue 21): ids the product supplies by BuildingBlocks' <c>UserIds</c> rule,
/// ids this service mints by <c>PrefixedId</c>'s.
/// </summary>
public sealed class UserIdRuleTests
{
    private static readonly string[] RoutesByModule =
    [
        "/v1/subscriptions/{0}",
        "/v1/referrals/{0}",
        "/v1/marketplace/users/{0}/installs",
        "/v1/usage/{0}/consumption",
    ];

    [Test]
    public async Task An_email_like_user_id_is_accepted_and_a_malformed_one_is_a_422_naming_user_id_in_every_module()
    {
        await using var factory = new MonetizationFactory();
        using var admin = factory.CreateAdminClient();
        foreach (var route in RoutesByModule)
        {
            using (var ok = await admin.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, route, "ada.lovelace@example.com")))
            {
                Assert.That((int)ok.StatusCode, Is.EqualTo(200), route + ": " + await ok.Content.ReadAsStringAsync());
            }

            using var bad = await admin.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, route, Uri.EscapeDataString("ada lovelace!")));
            await bad.ShouldBeProblemAsync(422, field: "user_id");

            using var tooLong = await admin.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, route, new string('a', 129)));
            await tooLong.ShouldBeProblemAsync(422, field: "user_id");
        }
    }

    [Test]
    public async Task A_developer_id_follows_the_user_id_rule()
    {
        await using var factory = new MonetizationFactory();
        using var admin = factory.CreateAdminClient();
        var longest = "dev." + new string('a', 110) + "@example.com";
        Assert.That(longest, Has.Length.EqualTo(126));
        using (var ok = await admin.PostJsonAsync("/v1/marketplace/developers", new { developer_id = longest, name = "Ada", email = "ada@example.com" }))
        {
            Assert.That((int)ok.StatusCode, Is.EqualTo(201), await ok.Content.ReadAsStringAsync());
        }

        using (var read = await admin.GetAsync("/v1/marketplace/developers/" + Uri.EscapeDataString(longest)))
        {
            Assert.That((int)read.StatusCode, Is.EqualTo(200));
        }

        foreach (var bad in new[] { new string('a', 129), "has space", "semi;colon" })
        {
            using var refused = await admin.PostJsonAsync("/v1/marketplace/developers", new { developer_id = bad, name = "X", email = "x@example.com" });
            var problem = await refused.ShouldBeProblemAsync(422, field: "developer_id");
            Assert.That(problem["errors"]!["developer_id"]![0]!.GetValue<string>(), Does.Contain("128 characters"));
        }
    }

    private static readonly string[] MintedIdRoutes =
    [
        "GET /v1/webhook_endpoints/{0}",
        "POST /v1/webhook_endpoints/{0}/rotate_secret",
        "POST /v1/webhook_deliveries/{0}/retry",
        "POST /v1/usage/invoices/{0}/void",
    ];

    [TestCaseSource(nameof(MintedIdRoutes))]
    public async Task A_malformed_minted_id_is_a_422_naming_id_and_a_well_formed_unknown_one_a_404(string route)
    {
        await using var factory = new MonetizationFactory();
        using var admin = factory.CreateAdminClient();
        var (method, template) = (route.Split(' ')[0], route.Split(' ')[1]);
        var prefix = template.Contains("webhook_endpoints", StringComparison.Ordinal) ? "we" : template.Contains("deliveries", StringComparison.Ordinal) ? "whd" : "uin";
        foreach (var bad in new[] { "x_" + new string('a', 24), prefix + "_bad!id", prefix + "_" + new string('a', 62), prefix + "_" })
        {
            using var refused = await SendAsync(admin, method, string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Uri.EscapeDataString(bad)));
            await refused.ShouldBeProblemAsync(422, field: "id");
        }

        using var unknown = await SendAsync(admin, method, string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Monetization.BuildingBlocks.Billing.PrefixedId.New(prefix)));
        await unknown.ShouldBeProblemAsync(404);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path) =>
        method == "GET" ? client.GetAsync(path) : client.PostAsync(path, null);
}
