using Microsoft.EntityFrameworkCore;
using Monetization.IntegrationEvents.Referrals;
using Monetization.Referrals.Data;
using Monetization.TestKit;

namespace Monetization.Referrals.Tests.Features;

public sealed class ErasureTests
{
    [Test]
    public async Task Erasing_the_referrer_removes_their_data_but_the_buyer_keeps_credit()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var code = await factory.CodeOfAsync("alice");
        var referralId = await factory.ReferAsync("alice", "bob");
        await factory.PublishAsync(factory.CustomerLinked("alice", "cus_alice", "alice@example.com"));
        await factory.PublishAsync(factory.FirstPaid("bob"));
        using var admin = factory.CreateAdminClient();

        using var response = await admin.DeleteAsync("/v1/referrals/users/alice");
        var erased = await response.ReadJsonAsync(200);
        Assert.That(erased["profile_deleted"]!.GetValue<bool>(), Is.True);
        Assert.That(erased["referrals_anonymised"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(erased["credit_entries_anonymised"]!.GetValue<int>(), Is.EqualTo(1));

        var stored = await factory.QueryAsync<ReferralsDbContext, string>(async db =>
            string.Join('|', await db.Users.Select(u => u.UserId + u.Code + u.StripeCustomerId + u.EmailNormalized).ToListAsync())
            + string.Join('|', await db.Referrals.Select(r => r.ReferrerUserId + r.ReferredUserId + r.Code).ToListAsync())
            + string.Join('|', await db.CreditEntries.Select(e => e.UserId).ToListAsync()));
        Assert.That(stored, Does.Not.Contain("alice").And.Not.Contain(code));

        Assert.That((await factory.SummaryAsync("bob"))["credit_days_remaining"]!.GetValue<int>(), Is.EqualTo(45));
        var referral = await factory.ReferralAsync(referralId);
        Assert.That(referral.ReferrerUserId, Does.StartWith("erased_"));
        Assert.That(referral.Code, Is.Null);

        await (await admin.PostJsonAsync("/v1/referrals/capture", new { user_id = "carol", code }))
            .ShouldBeProblemAsync(422, field: "code", type: "referral_code_unknown");
    }

    [Test]
    public async Task Erasing_the_buyer_keeps_the_referrers_credit_and_a_later_clawback_still_works()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        await factory.ReferAsync("alice", "bob");
        await factory.PublishAsync(factory.FirstPaid("bob"));
        using var admin = factory.CreateAdminClient();
        (await admin.DeleteAsync("/v1/referrals/users/bob")).EnsureSuccessStatusCode();

        var alice = await factory.SummaryAsync("alice");
        Assert.That(alice["credit_days_remaining"]!.GetValue<int>(), Is.EqualTo(45));
        Assert.That(alice["converted_count"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That((await factory.CreditsAsync("bob"))["data"]!.AsArray(), Is.Empty);

        factory.Clock.Advance(TimeSpan.FromDays(1));
        await factory.PublishAsync(factory.Refund("bob", "ch_first_bob", "in_first_bob"));
        var reversals = await factory.OutboxEventsAsync<AccessCreditReversed>();
        Assert.That(reversals.Select(r => r.UserId), Is.EqualTo(new[] { "alice" }), "no event names the erased user");
        Assert.That((await factory.LedgerAsync()).Count(e => e.Days < 0), Is.EqualTo(2), "the ledger still balances");
    }

    [Test]
    public async Task Late_events_from_before_the_erasure_do_not_bring_the_data_back_but_newer_ones_apply()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var before = factory.CustomerLinked("alice", "cus_alice", "alice@example.com");
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        using var admin = factory.CreateAdminClient();
        (await admin.DeleteAsync("/v1/referrals/users/alice")).EnsureSuccessStatusCode();

        await factory.PublishAsync(before);
        Assert.That(await factory.QueryAsync<ReferralsDbContext, int>(db => db.Users.CountAsync()), Is.Zero);

        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await factory.PublishAsync(factory.CustomerLinked("alice", "cus_alice_2", null));
        Assert.That(await factory.QueryAsync<ReferralsDbContext, int>(db => db.Users.CountAsync()), Is.EqualTo(1));
    }

    [Test]
    public async Task Erasure_is_idempotent_and_validates_the_user_id()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        using var admin = factory.CreateAdminClient();
        using var first = await admin.DeleteAsync("/v1/referrals/users/nobody");
        var body = await first.ReadJsonAsync(200);
        Assert.That(body["profile_deleted"]!.GetValue<bool>(), Is.False);
        using var again = await admin.DeleteAsync("/v1/referrals/users/nobody");
        await again.ReadJsonAsync(200);
        await (await admin.DeleteAsync("/v1/referrals/users/bad%20id")).ShouldBeProblemAsync(422, field: "user_id");
    }
}
