using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monetization.IntegrationEvents.Referrals;
using Monetization.TestKit;

namespace Monetization.Subscriptions.Tests.Features;

/// <summary>Referral credits (AccessCreditGranted / AccessCreditReversed from Referrals).</summary>
public sealed class AccessCreditTests : SubscriptionsTestBase
{
    [Test]
    public async Task Credit_gives_a_free_user_paid_access_stacking_shrinking_and_expiring()
    {
        var start = Factory.Now;
        await Factory.PublishAsync(new AccessCreditGranted(Guid.NewGuid(), start, "cgr_1", "u_free", 30, "referral_buyer", "ref_1"));
        var first = Guid.NewGuid();
        await Factory.PublishAsync(new AccessCreditGranted(first, start, "cgr_2", "u_free", 15, "referral_referrer", "ref_2"));
        await Factory.PublishAsync(new AccessCreditGranted(first, start, "cgr_2", "u_free", 15, "referral_referrer", "ref_2"));
        var sub = await GetSubscriptionAsync("u_free");
        Assert.Multiple(() =>
        {
            Assert.That(sub["access"]!["tier"]!.GetValue<string>(), Is.EqualTo("paid"));
            Assert.That(sub["access"]!["reason"]!.GetValue<string>(), Is.EqualTo("credit"));
            Assert.That(sub["credit_until"]!.GetValue<DateTimeOffset>(), Is.EqualTo(start.AddDays(45)).Within(TimeSpan.FromSeconds(5)), "credits stack; a redelivery adds nothing");
            Assert.That(sub["plan"]!.GetValue<string>(), Is.EqualTo("premium"), "the credit plan defaults to the lowest paid plan");
        });

        await Factory.PublishAsync(new AccessCreditReversed(Guid.NewGuid(), start, "cgr_2", "u_free", 15, "refund_clawback"));
        Assert.That((await GetSubscriptionAsync("u_free"))["credit_until"]!.GetValue<DateTimeOffset>(), Is.EqualTo(start.AddDays(30)).Within(TimeSpan.FromSeconds(5)));

        Factory.Clock.Advance(TimeSpan.FromDays(31));
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Jobs.AccessExpiryJob>().RunOnceAsync(CancellationToken.None);
        }

        Assert.That((await GetSubscriptionAsync("u_free"))["access"]!["tier"]!.GetValue<string>(), Is.EqualTo("free"));
        var changes = await ChangesOf("u_free");
        Assert.That(changes.Select(c => c.AccessTier), Is.EqualTo(new[] { "paid", "paid", "paid", "free" }));
        Assert.That(changes.Select(c => c.Version), Is.EqualTo(new long[] { 1, 2, 3, 4 }));
    }

    [Test]
    public async Task A_reversal_that_arrives_before_its_grant_cancels_it()
    {
        await Factory.PublishAsync(new AccessCreditReversed(Guid.NewGuid(), Factory.Now, "cgr_late", "u_late", 30, "refund_clawback"));
        await Factory.PublishAsync(new AccessCreditGranted(Guid.NewGuid(), Factory.Now, "cgr_late", "u_late", 30, "referral_buyer", "ref_9"));
        Assert.That((await GetSubscriptionAsync("u_late"))["access"]!["tier"]!.GetValue<string>(), Is.EqualTo("free"));
    }

    [Test]
    public async Task Credit_defers_a_paying_users_next_charge_without_a_second_first_paid_transition()
    {
        var sub = await SubscribeAsync("u_payer", "premium", "monthly");
        var periodEnd = sub["current_period_end"]!.GetValue<DateTimeOffset>();
        await Factory.PublishAsync(new AccessCreditGranted(Guid.NewGuid(), Factory.Now, "cgr_pay", "u_payer", 30, "referral_referrer", "ref_3"));
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            // The background run may already have sent it; either way the grant's deferral is done exactly once.
            await scope.ServiceProvider.GetRequiredService<Jobs.CreditDeferralJob>().RunOnceAsync(CancellationToken.None);
        }

        var grant = await Factory.QueryAsync<Data.SubscriptionsDbContext, Domain.CreditGrant>(db => db.CreditGrants.SingleAsync(g => g.GrantId == "cgr_pay"));
        Assert.That(grant.DeferralState, Is.EqualTo(Domain.DeferralStates.Done));
        Assert.That(grant.DeferralTarget, Is.EqualTo(periodEnd.AddDays(30)), "deferred once, from the period end");

        await Factory.SettleAsync();
        var deferred = await GetSubscriptionAsync("u_payer");
        Assert.Multiple(() =>
        {
            Assert.That(deferred["status"]!.GetValue<string>(), Is.EqualTo("trialing"));
            Assert.That(deferred["trial_end"]!.GetValue<DateTimeOffset>(), Is.EqualTo(periodEnd.AddDays(30)));
            Assert.That(deferred["access"]!["tier"]!.GetValue<string>(), Is.EqualTo("paid"));
            Assert.That(deferred["access"]!["reason"]!.GetValue<string>(), Is.EqualTo("subscription"), "a deferral is not a new trial");
        });

        // The original renewal date passes without a charge; the deferred one charges, and it is not a first payment.
        await Factory.AdvanceStripeClockAsync(periodEnd - Factory.Now + TimeSpan.FromDays(1));
        await Factory.SettleAsync();
        Assert.That(await EventsFor<Monetization.IntegrationEvents.Subscriptions.InvoicePaid>("u_payer", e => e.UserId), Has.Count.EqualTo(1));
        await Factory.AdvanceStripeClockAsync(TimeSpan.FromDays(30));
        await Factory.SettleAsync();
        Assert.That(await EventsFor<Monetization.IntegrationEvents.Subscriptions.InvoicePaid>("u_payer", e => e.UserId), Has.Count.EqualTo(2));
        Assert.That((await GetSubscriptionAsync("u_payer"))["status"]!.GetValue<string>(), Is.EqualTo("active"));
        Assert.That(await FirstPaidOf("u_payer"), Has.Count.EqualTo(1));
    }
}
