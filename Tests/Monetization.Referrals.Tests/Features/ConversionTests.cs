using Monetization.IntegrationEvents.Referrals;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.TestKit;

namespace Monetization.Referrals.Tests.Features;

/// <summary>The seed's seven cases of <c>convert_referral</c>, and what surpasses them (concurrency, limits).</summary>
public sealed class ConversionTests
{
    [Test]
    public async Task Happy_path_stamps_the_referral_and_credits_both_sides_45_days()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var referralId = await factory.ReferAsync("alice", "bob");
        factory.Clock.Advance(TimeSpan.FromDays(2));
        var now = factory.Clock.GetUtcNow();
        var paid = factory.FirstPaid("bob");

        await factory.PublishAsync(paid);

        var referral = await factory.ReferralAsync(referralId);
        Assert.That(referral.ConvertedAt, Is.EqualTo(paid.OccurredAt));
        Assert.That(referral.CreditedAt, Is.EqualTo(now));
        Assert.That(referral.RewardStatus, Is.EqualTo("rewarded"));
        Assert.That(referral.FirstChargeId, Is.EqualTo("ch_first_bob"));

        var grants = await factory.OutboxEventsAsync<AccessCreditGranted>();
        Assert.That(grants.Select(g => (g.UserId, g.Days, g.Reason, g.SourceId)), Is.EquivalentTo(new[]
        {
            ("bob", 45, "referral_buyer", referralId),
            ("alice", 45, "referral_referrer", referralId),
        }));
        Assert.That(grants.All(g => g.GrantId.StartsWith("cgr_", StringComparison.Ordinal) && g.CreditUntil == now.AddDays(45) && g.StartsAt == now));

        var alice = await factory.SummaryAsync("alice");
        Assert.That(alice["converted_count"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(alice["active_credits"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(alice["credit_until"].Time(), Is.EqualTo(now.AddDays(45)));
        Assert.That(alice["credit_days_remaining"]!.GetValue<int>(), Is.EqualTo(45));
        var bob = await factory.SummaryAsync("bob");
        Assert.That(bob["credit_days_remaining"]!.GetValue<int>(), Is.EqualTo(45));
        Assert.That(bob["referred_by"]!["reward_status"]!.GetValue<string>(), Is.EqualTo("rewarded"));
        Assert.That(bob["referred_by"]!["converted_at"].Time(), Is.EqualTo(paid.OccurredAt));

        var ledger = await factory.CreditsAsync("bob");
        var entry = ledger["data"]!.AsArray().Single()!;
        Assert.That(entry["kind"]!.GetValue<string>(), Is.EqualTo("grant"));
        Assert.That(entry["days"]!.GetValue<int>(), Is.EqualTo(45));
        Assert.That(entry["reason"]!.GetValue<string>(), Is.EqualTo("referral_buyer"));
        Assert.That(entry["source_type"]!.GetValue<string>(), Is.EqualTo("referral"));
        Assert.That(entry["source_id"]!.GetValue<string>(), Is.EqualTo(referralId));
        Assert.That(entry["entry_id"]!.GetValue<string>(), Is.EqualTo(grants.Single(g => g.UserId == "bob").GrantId));
        Assert.That(ledger["credit_until"].Time(), Is.EqualTo(now.AddDays(45)));

        factory.Clock.Advance(TimeSpan.FromDays(44.5));
        Assert.That((await factory.SummaryAsync("alice"))["credit_days_remaining"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That((await factory.SummaryAsync("alice"))["active_credits"]!.GetValue<int>(), Is.EqualTo(1));
        factory.Clock.Advance(TimeSpan.FromDays(1));
        Assert.That((await factory.SummaryAsync("alice"))["active_credits"]!.GetValue<int>(), Is.Zero, "the credit window ran out");
        Assert.That((await factory.SummaryAsync("alice"))["credit_days_remaining"]!.GetValue<int>(), Is.Zero);
    }

    [Test]
    public async Task Replaying_the_same_event_grants_nothing_more()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        await factory.ReferAsync("alice", "bob");
        var paid = factory.FirstPaid("bob");
        await factory.PublishAsync(paid);
        factory.Clock.Advance(TimeSpan.FromHours(1));
        await factory.PublishAsync(paid);
        await factory.PublishAsync(paid with { OccurredAt = paid.OccurredAt });

        Assert.That(await factory.OutboxEventsAsync<AccessCreditGranted>(), Has.Count.EqualTo(2));
        Assert.That(await factory.LedgerAsync(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_payment_without_a_referral_is_a_no_op()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        await factory.CodeOfAsync("alice");
        await factory.PublishAsync(factory.FirstPaid("stranger"));

        Assert.That(await factory.OutboxEventsAsync<AccessCreditGranted>(), Is.Empty);
        Assert.That(await factory.LedgerAsync(), Is.Empty);
        Assert.That((await factory.SummaryAsync("stranger"))["credit_until"], Is.Null);
    }

    [Test]
    public async Task Credits_stack_on_a_running_window_for_the_referrer_and_for_the_buyer()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var t0 = factory.Clock.GetUtcNow();
        await factory.ReferAsync("alice", "bob");
        await factory.ReferAsync("bob", "carol");
        await factory.ReferAsync("alice", "dave");

        await factory.PublishAsync(factory.FirstPaid("carol"));
        factory.Clock.Advance(TimeSpan.FromDays(10));
        await factory.PublishAsync(factory.FirstPaid("bob"));
        factory.Clock.Advance(TimeSpan.FromDays(10));
        await factory.PublishAsync(factory.FirstPaid("dave"));

        var bob = await factory.CreditsAsync("bob");
        Assert.That(bob["credit_until"].Time(), Is.EqualTo(t0.AddDays(90)), "bob's buyer credit starts where his referrer credit ends");
        var bobEntries = bob["data"]!.AsArray();
        Assert.That(bobEntries[1]!["starts_at"].Time(), Is.EqualTo(t0.AddDays(45)));
        Assert.That(bobEntries[1]!["credit_until_after"].Time(), Is.EqualTo(t0.AddDays(90)));

        var alice = await factory.SummaryAsync("alice");
        Assert.That(alice["credit_until"].Time(), Is.EqualTo(t0.AddDays(10 + 45 + 45)), "alice's second grant anchors at her running window");
        Assert.That(alice["credit_days_remaining"]!.GetValue<int>(), Is.EqualTo(80));
        Assert.That(alice["active_credits"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(alice["converted_count"]!.GetValue<int>(), Is.EqualTo(2));
    }

    [Test]
    public async Task An_erased_referrer_does_not_stop_the_buyers_credit()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var referralId = await factory.ReferAsync("alice", "bob");
        using var admin = factory.CreateAdminClient();
        (await admin.DeleteAsync("/v1/referrals/users/alice")).EnsureSuccessStatusCode();

        await factory.PublishAsync(factory.FirstPaid("bob"));

        var grants = await factory.OutboxEventsAsync<AccessCreditGranted>();
        Assert.That(grants.Select(g => (g.UserId, g.Reason)), Is.EqualTo(new[] { ("bob", "referral_buyer") }));
        var referral = await factory.ReferralAsync(referralId);
        Assert.That(referral.RewardStatus, Is.EqualTo("buyer_only"));
        Assert.That(referral.RewardReason, Is.EqualTo("referrer_erased"));
        Assert.That(referral.ReferrerUserId, Does.StartWith("erased_"));
        var bob = await factory.SummaryAsync("bob");
        Assert.That(bob["credit_days_remaining"]!.GetValue<int>(), Is.EqualTo(45));
        Assert.That(bob["referred_by"]!["reward_reason"]!.GetValue<string>(), Is.EqualTo("referrer_erased"));
    }

    [Test]
    public async Task End_to_end_the_granted_credit_is_delivered_through_the_outbox_and_lands_on_both_accounts()
    {
        await using var factory = ReferralsTestKit.NewFactory(("Referrals:CreditDays", "30"));
        await factory.ReferAsync("alice", "bob");
        await factory.PublishAsync(factory.FirstPaid("bob"));
        await factory.DrainOutboxAsync();

        var stats = await factory.OutboxStatsAsync();
        var errors = await factory.PendingOutboxErrorsAsync();
        Assert.That(stats.Sum(s => s.Pending), Is.Zero, "every grant event was delivered: " + string.Join(" | ", errors));
        Assert.That(stats.Sum(s => s.DeadLettered), Is.Zero);
        var grants = await factory.OutboxEventsAsync<AccessCreditGranted>();
        Assert.That(grants.Select(g => g.Days), Is.EqualTo(new[] { 30, 30 }), "Referrals:CreditDays is honoured");
        Assert.That((await factory.SummaryAsync("alice"))["credit_days_remaining"]!.GetValue<int>(), Is.EqualTo(30));
        Assert.That((await factory.SummaryAsync("bob"))["credit_days_remaining"]!.GetValue<int>(), Is.EqualTo(30));
    }

    [Test]
    public async Task Renewals_and_a_second_first_payment_event_grant_nothing_more()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var referralId = await factory.ReferAsync("alice", "bob");
        await factory.PublishAsync(factory.FirstPaid("bob"));
        factory.Clock.Advance(TimeSpan.FromDays(31));
        await factory.PublishAsync(new InvoicePaid(
            Guid.NewGuid(), factory.Clock.GetUtcNow(), "bob", "cus_bob", "in_renewal", "sub_bob", "subscription_cycle", 700, "gbp", "ch_renewal", "pi_renewal", [], new Dictionary<string, string>()));
        await factory.PublishAsync(factory.SubscriptionChanged("bob", "active", "paid", 7));
        await factory.PublishAsync(factory.FirstPaid("bob", chargeId: "ch_renewal", invoiceId: "in_renewal"));

        Assert.That(await factory.OutboxEventsAsync<AccessCreditGranted>(), Has.Count.EqualTo(2));
        var referral = await factory.ReferralAsync(referralId);
        Assert.That(referral.FirstChargeId, Is.EqualTo("ch_first_bob"), "the conversion keeps the first payment");
    }

    [Test]
    public async Task Eight_concurrent_deliveries_of_one_event_grant_once_per_side()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        await factory.ReferAsync("alice", "bob");
        var paid = factory.FirstPaid("bob");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => factory.PublishAsync(paid))));

        var grants = await factory.OutboxEventsAsync<AccessCreditGranted>();
        Assert.That(grants.Select(g => g.UserId), Is.EquivalentTo(new[] { "alice", "bob" }));
        Assert.That(await factory.LedgerAsync(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Concurrent_deliveries_of_two_different_first_payment_events_for_one_user_grant_once_per_side()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        await factory.ReferAsync("alice", "bob");
        var first = factory.FirstPaid("bob");
        var second = factory.FirstPaid("bob", chargeId: "ch_other", invoiceId: "in_other");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => factory.PublishAsync(i % 2 == 0 ? first : second))));

        var grants = await factory.OutboxEventsAsync<AccessCreditGranted>();
        Assert.That(grants.Select(g => g.UserId), Is.EquivalentTo(new[] { "alice", "bob" }));
        var alice = await factory.CreditsAsync("alice");
        Assert.That(alice["credit_days_remaining"]!.GetValue<int>(), Is.EqualTo(45));
    }

    [Test]
    public async Task The_monthly_cap_rewards_the_buyer_only_and_resets_next_month()
    {
        await using var factory = ReferralsTestKit.NewFactory(("Referrals:MaxRewardsPerReferrerPerMonth", "2"));
        factory.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await factory.ReferAsync("alice", $"friend{i}"));
            factory.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        for (var i = 0; i < 3; i++)
        {
            await factory.PublishAsync(factory.FirstPaid($"friend{i}"));
        }

        var capped = await factory.ReferralAsync(ids[2]);
        Assert.That(capped.RewardStatus, Is.EqualTo("buyer_only"));
        Assert.That(capped.RewardReason, Is.EqualTo("referrer_monthly_cap"));
        Assert.That((await factory.CreditsAsync("friend2"))["credit_days_remaining"]!.GetValue<int>(), Is.EqualTo(45), "the buyer keeps their reward");
        Assert.That((await factory.CreditsAsync("alice"))["data"]!.AsArray(), Has.Count.EqualTo(2));

        using var read = factory.CreateReadClient();
        var list = await read.GetJsonAsync("/v1/referrals/alice/referrals");
        Assert.That(list["data"]![2]!["reward_status"]!.GetValue<string>(), Is.EqualTo("buyer_only"));
        Assert.That(list["data"]![2]!["reward_reason"]!.GetValue<string>(), Is.EqualTo("referrer_monthly_cap"));

        factory.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        await factory.PublishAsync(factory.FirstPaid("friend3"));
        Assert.That((await factory.ReferralAsync(ids[3])).RewardStatus, Is.EqualTo("rewarded"), "a new calendar month, a new allowance");
    }

    [Test]
    public async Task A_buyer_with_the_referrers_stripe_customer_converts_without_reward()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var referralId = await factory.ReferAsync("alice", "alt");
        await factory.PublishAsync(factory.SubscriptionChanged("alice", "active", "paid", 1, customerId: "cus_shared"));
        await factory.PublishAsync(factory.FirstPaid("alt", customerId: "cus_shared"));

        var referral = await factory.ReferralAsync(referralId);
        Assert.That(referral.ConvertedAt, Is.Not.Null);
        Assert.That(referral.CreditedAt, Is.Null);
        Assert.That(referral.RewardStatus, Is.EqualTo("not_rewarded"));
        Assert.That(referral.RewardReason, Is.EqualTo("same_stripe_customer"));
        Assert.That(await factory.OutboxEventsAsync<AccessCreditGranted>(), Is.Empty);
        var summary = await factory.SummaryAsync("alice");
        Assert.That(summary["converted_count"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(summary["active_credits"]!.GetValue<int>(), Is.Zero);
    }

    [Test]
    public async Task A_buyer_with_the_referrers_email_converts_without_reward()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var referralId = await factory.ReferAsync("alice", "alt");
        await factory.PublishAsync(factory.CustomerLinked("alice", "cus_alice", "Alice@Example.com"));
        await factory.PublishAsync(factory.FirstPaid("alt", email: " alice+second@example.COM "));

        var referral = await factory.ReferralAsync(referralId);
        Assert.That(referral.RewardStatus, Is.EqualTo("not_rewarded"));
        Assert.That(referral.RewardReason, Is.EqualTo("same_email"));
        Assert.That(await factory.LedgerAsync(), Is.Empty);
        var alt = await factory.SummaryAsync("alt");
        Assert.That(alt["referred_by"]!["reward_reason"]!.GetValue<string>(), Is.EqualTo("same_email"));
    }
}
