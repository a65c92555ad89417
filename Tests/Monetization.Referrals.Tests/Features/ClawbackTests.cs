using Monetization.IntegrationEvents.Referrals;
using Monetization.TestKit;

namespace Monetization.Referrals.Tests.Features;

public sealed class ClawbackTests
{
    [Test]
    public async Task A_full_refund_of_the_first_payment_within_the_hold_reverses_both_grants_exactly_once()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var referralId = await factory.ReferAsync("alice", "bob");
        var t0 = factory.Clock.GetUtcNow();
        await factory.PublishAsync(factory.FirstPaid("bob"));
        factory.Clock.Advance(TimeSpan.FromDays(13));
        var refundTime = factory.Clock.GetUtcNow();
        var refund = factory.Refund("bob", "ch_first_bob", "in_first_bob");

        await factory.PublishAsync(refund);
        await factory.PublishAsync(refund);
        await factory.PublishAsync(factory.Refund("bob", "ch_first_bob", "in_first_bob"));

        var grants = await factory.OutboxEventsAsync<AccessCreditGranted>();
        var reversals = await factory.OutboxEventsAsync<AccessCreditReversed>();
        Assert.That(reversals.Select(r => (r.UserId, r.Days, r.Reason, r.SourceId)), Is.EquivalentTo(new[]
        {
            ("bob", 45, "refund_clawback", referralId),
            ("alice", 45, "refund_clawback", referralId),
        }));
        Assert.That(reversals.Select(r => r.GrantId), Is.EquivalentTo(grants.Select(g => g.GrantId)));
        Assert.That(reversals.All(r => r.CreditUntil == refundTime && r.ReversalId!.StartsWith("crv_", StringComparison.Ordinal)));

        var referral = await factory.ReferralAsync(referralId);
        Assert.That(referral.RewardStatus, Is.EqualTo("reversed"));
        Assert.That(referral.RewardReason, Is.EqualTo("first_payment_refunded"));
        Assert.That(referral.RefundedAt, Is.EqualTo(refundTime));

        var alice = await factory.CreditsAsync("alice");
        var entries = alice["data"]!.AsArray();
        Assert.That(entries.Select(e => e!["days"]!.GetValue<int>()), Is.EqualTo(new[] { 45, -45 }));
        Assert.That(entries[1]!["kind"]!.GetValue<string>(), Is.EqualTo("reversal"));
        Assert.That(entries[1]!["reverses_entry_id"]!.GetValue<string>(), Is.EqualTo(entries[0]!["entry_id"]!.GetValue<string>()));
        Assert.That(alice["credit_until"].Time(), Is.EqualTo(refundTime), "access ends at the reversal");
        Assert.That(alice["credit_days_remaining"]!.GetValue<int>(), Is.Zero);
        Assert.That((await factory.SummaryAsync("alice"))["active_credits"]!.GetValue<int>(), Is.Zero);
        Assert.That((await factory.SummaryAsync("bob"))["credit_days_remaining"]!.GetValue<int>(), Is.Zero);
        Assert.That(t0.AddDays(45), Is.GreaterThan(refundTime));
    }

    [Test]
    public async Task A_reversal_only_takes_back_its_own_days_when_credits_stacked()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var t0 = factory.Clock.GetUtcNow();
        await factory.ReferAsync("alice", "bob");
        await factory.ReferAsync("alice", "carol");
        await factory.PublishAsync(factory.FirstPaid("bob"));
        await factory.PublishAsync(factory.FirstPaid("carol"));
        factory.Clock.Advance(TimeSpan.FromDays(3));

        await factory.PublishAsync(factory.Refund("carol", "ch_first_carol", null));

        var alice = await factory.CreditsAsync("alice");
        Assert.That(alice["credit_until"].Time(), Is.EqualTo(t0.AddDays(45)));
        Assert.That((await factory.SummaryAsync("alice"))["active_credits"]!.GetValue<int>(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_refund_after_the_hold_window_keeps_the_credit()
    {
        await using var factory = ReferralsTestKit.NewFactory(("Referrals:HoldDays", "14"));
        var referralId = await factory.ReferAsync("alice", "bob");
        await factory.PublishAsync(factory.FirstPaid("bob"));
        factory.Clock.Advance(TimeSpan.FromDays(14) + TimeSpan.FromMinutes(1));

        await factory.PublishAsync(factory.Refund("bob", "ch_first_bob", "in_first_bob"));

        Assert.That(await factory.OutboxEventsAsync<AccessCreditReversed>(), Is.Empty);
        var referral = await factory.ReferralAsync(referralId);
        Assert.That(referral.RewardStatus, Is.EqualTo("rewarded"));
        Assert.That(referral.RefundedAt, Is.EqualTo(factory.Clock.GetUtcNow()), "the late refund is recorded");
        Assert.That((await factory.SummaryAsync("alice"))["credit_days_remaining"]!.GetValue<int>(), Is.EqualTo(31));
    }

    [Test]
    public async Task A_partial_refund_reverses_nothing_but_completing_it_does()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        await factory.ReferAsync("alice", "bob");
        await factory.PublishAsync(factory.FirstPaid("bob"));
        factory.Clock.Advance(TimeSpan.FromDays(1));

        await factory.PublishAsync(factory.Refund("bob", "ch_first_bob", "in_first_bob", chargeAmount: 700, refunded: 300));
        Assert.That(await factory.OutboxEventsAsync<AccessCreditReversed>(), Is.Empty);

        await factory.PublishAsync(factory.Refund("bob", "ch_first_bob", "in_first_bob", chargeAmount: 700, refunded: 700));
        Assert.That(await factory.OutboxEventsAsync<AccessCreditReversed>(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_refund_of_another_charge_of_the_buyer_reverses_nothing()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        await factory.ReferAsync("alice", "bob");
        await factory.PublishAsync(factory.FirstPaid("bob"));
        factory.Clock.Advance(TimeSpan.FromDays(2));

        await factory.PublishAsync(factory.Refund("bob", "ch_addon", "in_addon"));
        await factory.PublishAsync(factory.Refund("bob", "ch_addon_2", null));

        Assert.That(await factory.OutboxEventsAsync<AccessCreditReversed>(), Is.Empty);
    }

    [Test]
    public async Task The_first_payment_is_matched_by_invoice_or_by_user_when_its_charge_was_unknown()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        await factory.ReferAsync("alice", "bob");
        await factory.ReferAsync("alice", "carol");
        await factory.PublishAsync(factory.FirstPaid("bob") with { ChargeId = null });
        await factory.PublishAsync(factory.FirstPaid("carol") with { ChargeId = null });
        factory.Clock.Advance(TimeSpan.FromDays(1));

        await factory.PublishAsync(factory.Refund("bob", "ch_late_known", "in_first_bob"));
        await factory.PublishAsync(factory.Refund("carol", "ch_late_known_2", null));

        var reversals = await factory.OutboxEventsAsync<AccessCreditReversed>();
        Assert.That(reversals.Select(r => r.UserId), Is.EquivalentTo(new[] { "bob", "alice", "carol", "alice" }));
    }

    [Test]
    public async Task A_refund_delivered_before_the_first_payment_event_means_no_reward()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        var referralId = await factory.ReferAsync("alice", "bob");
        var paid = factory.FirstPaid("bob");
        await factory.PublishAsync(factory.Refund("bob", "ch_first_bob", "in_first_bob"));
        await factory.PublishAsync(paid);

        var referral = await factory.ReferralAsync(referralId);
        Assert.That(referral.RewardStatus, Is.EqualTo("not_rewarded"));
        Assert.That(referral.RewardReason, Is.EqualTo("first_payment_refunded"));
        Assert.That(await factory.OutboxEventsAsync<AccessCreditGranted>(), Is.Empty);
    }

    [Test]
    public async Task Concurrent_refund_deliveries_reverse_once()
    {
        await using var factory = ReferralsTestKit.NewFactory();
        await factory.ReferAsync("alice", "bob");
        await factory.PublishAsync(factory.FirstPaid("bob"));
        var one = factory.Refund("bob", "ch_first_bob", "in_first_bob");
        var other = factory.Refund("bob", "ch_first_bob", "in_first_bob");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => factory.PublishAsync(i % 2 == 0 ? one : other))));

        Assert.That(await factory.OutboxEventsAsync<AccessCreditReversed>(), Has.Count.EqualTo(2));
        Assert.That(await factory.LedgerAsync(), Has.Count.EqualTo(4));
    }

    [Test]
    public async Task Hold_window_is_configurable()
    {
        await using var factory = ReferralsTestKit.NewFactory(("Referrals:HoldDays", "30"));
        await factory.ReferAsync("alice", "bob");
        await factory.PublishAsync(factory.FirstPaid("bob"));
        factory.Clock.Advance(TimeSpan.FromDays(20));
        await factory.PublishAsync(factory.Refund("bob", "ch_first_bob", null));
        Assert.That(await factory.OutboxEventsAsync<AccessCreditReversed>(), Has.Count.EqualTo(2));
    }
}
