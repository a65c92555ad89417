using Monetization.TestKit;

namespace Monetization.Platform.Tests;

/// <summary>Every module accepts and rejects the same user ids (BuildingBlocks' <c>UserIds</c> rule).</summary>
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
}
