using System.Net;
using System.Text.RegularExpressions;
using Monetization.TestKit;

namespace Monetization.Referrals.Tests.Features;

public sealed partial class ReferralRoutesTests
{
    [GeneratedRegex("^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$")]
    private static partial Regex CodeShape();

    [Test]
    public async Task Summary_creates_a_stable_code_without_look_alikes_on_first_read()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var first = await factory.SummaryAsync("user-a");
        var second = await factory.SummaryAsync("user-a");

        var code = first["code"]!.GetValue<string>();
        Assert.That(code, Does.Match(CodeShape()));
        Assert.That(second["code"]!.GetValue<string>(), Is.EqualTo(code), "the code is stable");
        Assert.That(first["user_id"]!.GetValue<string>(), Is.EqualTo("user-a"));
        Assert.That(first["referred_count"]!.GetValue<int>(), Is.Zero);
        Assert.That(first["converted_count"]!.GetValue<int>(), Is.Zero);
        Assert.That(first["active_credits"]!.GetValue<int>(), Is.Zero);
        Assert.That(first["credit_until"], Is.Null);
        Assert.That(first["credit_days_remaining"]!.GetValue<int>(), Is.Zero);
        Assert.That(first["referred_by"], Is.Null);
    }

    [Test]
    public async Task Codes_are_unique_across_users_and_concurrent_first_reads_agree_on_one()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var codes = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            codes.Add(await factory.CodeOfAsync($"u{i}"));
        }

        Assert.That(codes, Is.Unique);
        var racing = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => factory.CodeOfAsync("racer")));
        Assert.That(racing.Distinct().Count(), Is.EqualTo(1));
    }

    [TestCase("bad%20id")]
    [TestCase("bad!id")]
    [TestCase("%C3%A9l%C3%A8ve")]
    public async Task Malformed_user_ids_are_422_naming_user_id_on_every_route(string userId)
    {
        await using var factory = ReferralsTestKit.NewFactory();
        using var read = factory.CreateReadClient();
        using var admin = factory.CreateAdminClient();
        await (await read.GetAsync($"/v1/referrals/{userId}")).ShouldBeProblemAsync(422, field: "user_id");
        await (await read.GetAsync($"/v1/referrals/{userId}/credits")).ShouldBeProblemAsync(422, field: "user_id");
        await (await read.GetAsync($"/v1/referrals/{userId}/referrals")).ShouldBeProblemAsync(422, field: "user_id");
        await (await admin.DeleteAsync($"/v1/referrals/users/{userId}")).ShouldBeProblemAsync(422, field: "user_id");
    }

    [Test]
    public async Task A_user_id_longer_than_128_characters_is_422_and_128_is_accepted()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        using var read = factory.CreateReadClient();
        await (await read.GetAsync($"/v1/referrals/{new string('a', 129)}")).ShouldBeProblemAsync(422, field: "user_id");
        await read.GetJsonAsync($"/v1/referrals/{new string('a', 128)}");
        await read.GetJsonAsync("/v1/referrals/auth0:abc_1-2.x@tenant");
    }

    [Test]
    public async Task Capture_records_the_referral_and_the_referrer_sees_it()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var code = await factory.CodeOfAsync("referrer");
        using var admin = factory.CreateAdminClient();
        using var response = await admin.PostJsonAsync("/v1/referrals/capture", new { user_id = "newbie", code });
        var referral = await response.ReadJsonAsync(201);

        Assert.That(referral["referral_id"]!.GetValue<string>(), Does.StartWith("ref_"));
        Assert.That(referral["referrer_user_id"]!.GetValue<string>(), Is.EqualTo("referrer"));
        Assert.That(referral["referred_user_id"]!.GetValue<string>(), Is.EqualTo("newbie"));
        Assert.That(referral["code"]!.GetValue<string>(), Is.EqualTo(code));
        Assert.That(referral["captured_at"].Time(), Is.EqualTo(factory.Clock.GetUtcNow()));
        Assert.That(referral["converted_at"], Is.Null);
        Assert.That(referral["reward_status"]!.GetValue<string>(), Is.EqualTo("pending"));
        Assert.That(referral["reward_reason"], Is.Null);

        var summary = await factory.SummaryAsync("referrer");
        Assert.That(summary["referred_count"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(summary["converted_count"]!.GetValue<int>(), Is.Zero);
        var newbie = await factory.SummaryAsync("newbie");
        Assert.That(newbie["referred_by"]!["referral_id"]!.GetValue<string>(), Is.EqualTo(referral["referral_id"]!.GetValue<string>()));

        using var read = factory.CreateReadClient();
        var list = await read.GetJsonAsync("/v1/referrals/referrer/referrals");
        Assert.That(list["data"]!.AsArray().Single()!["referred_user_id"]!.GetValue<string>(), Is.EqualTo("newbie"));
        Assert.That(list["has_more"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public async Task Codes_match_case_insensitively_and_ignore_surrounding_spaces()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var code = await factory.CodeOfAsync("referrer");
        using var admin = factory.CreateAdminClient();
        using var lower = await admin.PostJsonAsync("/v1/referrals/capture", new { user_id = "a", code = code.ToLowerInvariant() });
        var referral = await lower.ReadJsonAsync(201);
        Assert.That(referral["code"]!.GetValue<string>(), Is.EqualTo(code), "stored normalised");
        using var spaced = await admin.PostJsonAsync("/v1/referrals/capture", new { user_id = "b", code = $"  {code[..4].ToLowerInvariant()}{code[4..]} " });
        await spaced.ReadJsonAsync(201);
        Assert.That((await factory.SummaryAsync("referrer"))["referred_count"]!.GetValue<int>(), Is.EqualTo(2));
    }

    [Test]
    public async Task Capture_with_missing_or_malformed_fields_is_422_naming_each_field_and_changes_nothing()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        using var admin = factory.CreateAdminClient();
        var missing = await (await admin.PostJsonAsync("/v1/referrals/capture", new { })).ShouldBeProblemAsync(422, field: "user_id", type: "validation_failed");
        Assert.That(missing["errors"]!.AsObject().Select(e => e.Key), Is.EquivalentTo(new[] { "user_id", "code" }));
        await (await admin.PostJsonAsync("/v1/referrals/capture", new { user_id = "ok", code = "ABC" })).ShouldBeProblemAsync(422, field: "code", type: "validation_failed");
        await (await admin.PostJsonAsync("/v1/referrals/capture", new { user_id = "ok", code = "ABCDEFG0" })).ShouldBeProblemAsync(422, field: "code", type: "validation_failed");
        await (await admin.PostJsonAsync("/v1/referrals/capture", new { user_id = "not ok", code = "ABCDEFGH" })).ShouldBeProblemAsync(422, field: "user_id");
        await (await admin.PostJsonAsync("/v1/referrals/capture", "{\"user_id\": 5, \"code\": \"ABCDEFGH\"}")).ShouldBeProblemAsync(400);
        await (await admin.PostJsonAsync("/v1/referrals/capture", "{not json")).ShouldBeProblemAsync(400);
        var referrals = await factory.QueryAsync<Data.ReferralsDbContext, int>(db => Task.FromResult(db.Referrals.Count()));
        Assert.That(referrals, Is.Zero);
    }

    [Test]
    public async Task Capture_with_an_unknown_code_is_422_naming_the_rule()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        using var admin = factory.CreateAdminClient();
        var problem = await (await admin.PostJsonAsync("/v1/referrals/capture", new { user_id = "newbie", code = "ABCDEFGH" }))
            .ShouldBeProblemAsync(422, field: "code", type: "referral_code_unknown");
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("ABCDEFGH"));
    }

    [Test]
    public async Task Self_referral_is_422_naming_the_rule()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var code = await factory.CodeOfAsync("me");
        using var admin = factory.CreateAdminClient();
        await (await admin.PostJsonAsync("/v1/referrals/capture", new { user_id = "me", code }))
            .ShouldBeProblemAsync(422, field: "code", type: "self_referral");
    }

    [Test]
    public async Task A_user_is_referred_at_most_once_409()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var first = await factory.ReferAsync("alice", "newbie");
        var otherCode = await factory.CodeOfAsync("bob");
        using var admin = factory.CreateAdminClient();
        var problem = await (await admin.PostJsonAsync("/v1/referrals/capture", new { user_id = "newbie", code = otherCode }))
            .ShouldBeProblemAsync(409, type: "already_referred");
        Assert.That(problem["referral_id"]!.GetValue<string>(), Is.EqualTo(first));

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var client = factory.CreateAdminClient();
            using var response = await client.PostJsonAsync("/v1/referrals/capture", new { user_id = "racer", code = otherCode });
            return (int)response.StatusCode;
        }));
        Assert.That(concurrent.Count(s => s == 201), Is.EqualTo(1));
        Assert.That(concurrent.Count(s => s == 409), Is.EqualTo(5));
    }

    [Test]
    public async Task A_user_who_already_pays_cannot_be_referred_but_a_trialing_one_can()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var code = await factory.CodeOfAsync("alice");
        await factory.PublishAsync(factory.SubscriptionChanged("subscriber", "active", "paid", 1));
        await factory.PublishAsync(factory.FirstPaid("payer"));
        await factory.PublishAsync(factory.SubscriptionChanged("trialer", "trialing", "paid", 1));
        using var admin = factory.CreateAdminClient();

        await (await admin.PostJsonAsync("/v1/referrals/capture", new { user_id = "subscriber", code }))
            .ShouldBeProblemAsync(422, field: "user_id", type: "user_already_paying");
        await (await admin.PostJsonAsync("/v1/referrals/capture", new { user_id = "payer", code }))
            .ShouldBeProblemAsync(422, field: "user_id", type: "user_already_paying");
        using var trial = await admin.PostJsonAsync("/v1/referrals/capture", new { user_id = "trialer", code });
        await trial.ReadJsonAsync(201);
    }

    [Test]
    public async Task An_older_subscription_change_does_not_overwrite_a_newer_one()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var code = await factory.CodeOfAsync("alice");
        await factory.PublishAsync(factory.SubscriptionChanged("churned", "canceled", "free", 5));
        await factory.PublishAsync(factory.SubscriptionChanged("churned", "active", "paid", 4));
        using var admin = factory.CreateAdminClient();
        using var response = await admin.PostJsonAsync("/v1/referrals/capture", new { user_id = "churned", code });
        await response.ReadJsonAsync(201);
    }

    [Test]
    public async Task Routes_need_an_api_key_and_capture_needs_the_admin_scope()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        using var anonymous = factory.CreateAnonymousClient();
        using var read = factory.CreateReadClient();
        Assert.That((await anonymous.GetAsync("/v1/referrals/alice")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await read.PostJsonAsync("/v1/referrals/capture", new { user_id = "a", code = "ABCDEFGH" })).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await read.DeleteAsync("/v1/referrals/users/alice")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Lists_page_with_limit_and_starting_after_and_reject_bad_cursors()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        for (var i = 0; i < 5; i++)
        {
            await factory.ReferAsync("alice", $"friend{i}");
            factory.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        using var read = factory.CreateReadClient();
        var page1 = await read.GetJsonAsync("/v1/referrals/alice/referrals?limit=2");
        Assert.That(page1["data"]!.AsArray().Select(r => r!["referred_user_id"]!.GetValue<string>()), Is.EqualTo(new[] { "friend0", "friend1" }));
        Assert.That(page1["has_more"]!.GetValue<bool>(), Is.True);
        var after = page1["data"]![1]!["referral_id"]!.GetValue<string>();
        var page2 = await read.GetJsonAsync($"/v1/referrals/alice/referrals?limit=3&starting_after={after}");
        Assert.That(page2["data"]!.AsArray().Select(r => r!["referred_user_id"]!.GetValue<string>()), Is.EqualTo(new[] { "friend2", "friend3", "friend4" }));
        Assert.That(page2["has_more"]!.GetValue<bool>(), Is.False);

        await (await read.GetAsync("/v1/referrals/alice/referrals?limit=0")).ShouldBeProblemAsync(422, field: "limit");
        await (await read.GetAsync("/v1/referrals/alice/referrals?limit=abc")).ShouldBeProblemAsync(422, field: "limit");
        await (await read.GetAsync("/v1/referrals/alice/credits?limit=101")).ShouldBeProblemAsync(422, field: "limit");
        await (await read.GetAsync("/v1/referrals/alice/referrals?starting_after=ref_nope")).ShouldBeProblemAsync(422, field: "starting_after");
        await (await read.GetAsync("/v1/referrals/alice/credits?starting_after=cgr_nope")).ShouldBeProblemAsync(422, field: "starting_after");
    }
}
