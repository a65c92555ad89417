using Microsoft.Extensions.DependencyInjection;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.TestKit;

namespace Monetization.Subscriptions.Tests.Features;

/// <summary>Whole billing lifecycles against the in-process Stripe emulator (test cards, test clock, real signed webhooks).</summary>
public sealed class LifecycleTests : SubscriptionsTestBase
{
    [Test]
    public async Task Checkout_with_4242_is_paid_with_one_first_paid_transition()
    {
        var sub = await SubscribeAsync("u_paid", "premium", "monthly");
        Assert.Multiple(() =>
        {
            Assert.That(sub["status"]!.GetValue<string>(), Is.EqualTo("active"));
            Assert.That(sub["plan"]!.GetValue<string>(), Is.EqualTo("premium"));
            Assert.That(sub["cadence"]!.GetValue<string>(), Is.EqualTo("monthly"));
            Assert.That(sub["access"]!["tier"]!.GetValue<string>(), Is.EqualTo("paid"));
            Assert.That(sub["access"]!["reason"]!.GetValue<string>(), Is.EqualTo("subscription"));
            Assert.That(sub["current_period_end"], Is.Not.Null);
            Assert.That(sub["entitlements"]!["projects"]!.GetValue<long>(), Is.EqualTo(5));
        });
        var first = await FirstPaidOf("u_paid");
        Assert.That(first, Has.Count.EqualTo(1));
        Assert.That(first[0].AmountPaid, Is.EqualTo(2000));
        Assert.That(first[0].Plan, Is.EqualTo("premium"));
        Assert.That(first[0].Email, Is.EqualTo("jenny@example.com"));
        var paid = await EventsFor<InvoicePaid>("u_paid", e => e.UserId);
        Assert.That(paid, Has.Count.EqualTo(1), "invoice.paid and invoice.payment_succeeded are one InvoicePaid");
        Assert.That(paid[0].Lines.Single().PriceId, Does.StartWith("price_"));
        var changes = await ChangesOf("u_paid");
        Assert.That(changes[^1].AccessTier, Is.EqualTo("paid"));
        Assert.That(changes.Select(c => c.Version), Is.Ordered.Ascending.And.Unique);
        // Each change names the state it replaces (issue 18's access.changed): none before the first, then the one before.
        Assert.That((changes[0].PreviousPlan, changes[0].PreviousStatus, changes[0].PreviousAccessTier), Is.EqualTo(((string?)null, (string?)null, (string?)null)));
        for (var i = 1; i < changes.Count; i++)
        {
            Assert.That((changes[i].PreviousPlan, changes[i].PreviousStatus, changes[i].PreviousAccessTier), Is.EqualTo((changes[i - 1].Plan, changes[i - 1].Status, changes[i - 1].AccessTier)));
        }

        await Factory.AdvanceStripeClockAsync(TimeSpan.FromDays(32));
        await Factory.SettleAsync();
        Assert.That(await FirstPaidOf("u_paid"), Has.Count.EqualTo(1), "a renewal is not a first payment");
        Assert.That(await EventsFor<InvoicePaid>("u_paid", e => e.UserId), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Annual_trial_gives_access_without_first_paid_until_the_trial_ends()
    {
        var sub = await SubscribeAsync("u_trial", "pro", "annual");
        Assert.Multiple(() =>
        {
            Assert.That(sub["status"]!.GetValue<string>(), Is.EqualTo("trialing"));
            Assert.That(sub["access"]!["tier"]!.GetValue<string>(), Is.EqualTo("paid"));
            Assert.That(sub["access"]!["reason"]!.GetValue<string>(), Is.EqualTo("trial"));
            Assert.That(sub["trial_end"]!.GetValue<DateTimeOffset>(), Is.EqualTo(Factory.Now.AddDays(14)).Within(TimeSpan.FromMinutes(5)));
        });
        Assert.That(await FirstPaidOf("u_trial"), Is.Empty, "a trial is not payment");

        await Factory.AdvanceStripeClockAsync(TimeSpan.FromDays(15));
        await Factory.SettleAsync();
        var after = await GetSubscriptionAsync("u_trial");
        Assert.That(after["status"]!.GetValue<string>(), Is.EqualTo("active"));
        Assert.That(after["access"]!["reason"]!.GetValue<string>(), Is.EqualTo("subscription"));
        var first = await FirstPaidOf("u_trial");
        Assert.That(first, Has.Count.EqualTo(1));
        Assert.That(first[0].AmountPaid, Is.EqualTo(49_000));
    }

    [Test]
    public async Task A_second_checkout_after_a_trial_gets_no_new_trial()
    {
        await SubscribeAsync("u_again", "premium", "annual");
        using (var cancel = await Admin.PostJsonAsync("/v1/subscriptions/u_again/cancel", new { at_period_end = false }))
        {
            await cancel.ReadJsonAsync(202);
        }

        await Factory.SettleAsync();
        var sub = await SubscribeAsync("u_again", "premium", "annual");
        Assert.That(sub["status"]!.GetValue<string>(), Is.EqualTo("active"), "the trial is given once per user");
    }

    [Test]
    public async Task Renewal_failure_keeps_access_for_the_grace_period_then_ends_free_when_every_retry_fails()
    {
        await SubscribeAsync("u_0341", "premium", "monthly", card: "4000000000000341");
        var periodEnd = (await GetSubscriptionAsync("u_0341"))["current_period_end"]!.GetValue<DateTimeOffset>();
        await Factory.AdvanceStripeClockAsync(periodEnd - Factory.Now + TimeSpan.FromMinutes(1));
        await Factory.SettleAsync();
        var pastDue = await GetSubscriptionAsync("u_0341");
        Assert.Multiple(() =>
        {
            Assert.That(pastDue["status"]!.GetValue<string>(), Is.EqualTo("past_due"));
            Assert.That(pastDue["access"]!["tier"]!.GetValue<string>(), Is.EqualTo("paid"));
            Assert.That(pastDue["access"]!["reason"]!.GetValue<string>(), Is.EqualTo("grace"));
            Assert.That(pastDue["grace_period_end"]!.GetValue<DateTimeOffset>(), Is.EqualTo(Factory.Now.AddDays(3)).Within(TimeSpan.FromMinutes(5)));
        });
        var graceEnd = pastDue["grace_period_end"]!.GetValue<DateTimeOffset>();
        var failed = await EventsFor<InvoicePaymentFailed>("u_0341", e => e.UserId);
        Assert.That(failed, Has.Count.EqualTo(1));
        Assert.That(failed[0].GracePeriodEnd, Is.EqualTo(graceEnd));

        // The first retry (+3 days) fails too: the grace period is not extended, and once it is over access is free.
        await Factory.AdvanceStripeClockAsync(TimeSpan.FromDays(3) + TimeSpan.FromHours(1));
        await Factory.SettleAsync();
        await RunAccessExpiryAsync();
        var expired = await GetSubscriptionAsync("u_0341");
        Assert.Multiple(() =>
        {
            Assert.That(expired["grace_period_end"]!.GetValue<DateTimeOffset>(), Is.EqualTo(graceEnd), "a second failure does not extend the grace period");
            Assert.That(expired["status"]!.GetValue<string>(), Is.EqualTo("past_due"));
            Assert.That(expired["access"]!["tier"]!.GetValue<string>(), Is.EqualTo("free"));
        });
        var expiry = (await ChangesOf("u_0341"))[^1];
        Assert.That(expiry.AccessTier, Is.EqualTo("free"), "grace expiry publishes SubscriptionChanged");
        Assert.That((expiry.PreviousAccessTier, expiry.Status), Is.EqualTo(("paid", "past_due")), "and says access was paid before");

        // The last retry fails: Stripe cancels; the user is free and keeps the Stripe customer.
        await Factory.AdvanceStripeClockAsync(TimeSpan.FromDays(5));
        await Factory.SettleAsync();
        var canceled = await GetSubscriptionAsync("u_0341");
        Assert.Multiple(() =>
        {
            Assert.That(canceled["status"]!.GetValue<string>(), Is.EqualTo("canceled"));
            Assert.That(canceled["plan"]!.GetValue<string>(), Is.EqualTo("free"));
            Assert.That(canceled["stripe_customer_id"]!.GetValue<string>(), Does.StartWith("cus_"));
        });
    }

    [Test]
    public async Task A_successful_payment_after_a_renewal_failure_ends_the_grace_period()
    {
        await SubscribeAsync("u_recover", "premium", "monthly", card: "4000000000000341");
        var periodEnd = (await GetSubscriptionAsync("u_recover"))["current_period_end"]!.GetValue<DateTimeOffset>();
        await Factory.AdvanceStripeClockAsync(periodEnd - Factory.Now + TimeSpan.FromMinutes(1));
        await Factory.SettleAsync();
        var pastDue = await GetSubscriptionAsync("u_recover");
        Assert.That(pastDue["status"]!.GetValue<string>(), Is.EqualTo("past_due"));
        Assert.That(pastDue["grace_period_end"], Is.Not.Null, "the failure started a grace period");

        // The customer pays the open renewal invoice (as on Stripe's hosted invoice page): invoice.paid, subscription active.
        using var stripeHttp = Factory.CreateAnonymousClient();
        stripeHttp.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sk_test_x");
        var customer = pastDue["stripe_customer_id"]!.GetValue<string>();
        var open = (await stripeHttp.GetJsonAsync($"/_stripe/v1/invoices?customer={customer}&status=open"))["data"]!.AsArray().Single()!;
        using (var pay = await stripeHttp.PostAsync(
            $"/_stripe/v1/invoices/{open["id"]!.GetValue<string>()}/pay",
            new FormUrlEncodedContent([new KeyValuePair<string, string>("paid_out_of_band", "true")])))
        {
            Assert.That((int)pay.StatusCode, Is.EqualTo(200), await pay.Content.ReadAsStringAsync());
        }

        await Factory.SettleAsync();
        var recovered = await GetSubscriptionAsync("u_recover");
        Assert.Multiple(() =>
        {
            Assert.That(recovered["status"]!.GetValue<string>(), Is.EqualTo("active"));
            Assert.That(recovered["grace_period_end"], Is.Null, "the payment cleared the grace period");
            Assert.That(recovered["access"]!["tier"]!.GetValue<string>(), Is.EqualTo("paid"));
            Assert.That(recovered["access"]!["reason"]!.GetValue<string>(), Is.EqualTo("subscription"));
        });

        // Long after the old grace period would have ended, access is still paid: nothing of the failure is left.
        Factory.Clock.Advance(TimeSpan.FromDays(4));
        await RunAccessExpiryAsync();
        Assert.That((await GetSubscriptionAsync("u_recover"))["access"]!["tier"]!.GetValue<string>(), Is.EqualTo("paid"));
    }

    [Test]
    public async Task Cancel_at_period_end_resume_and_cancel_now_go_through_stripe()
    {
        await SubscribeAsync("u_cancel");
        using (var r = await Admin.PostJsonAsync("/v1/subscriptions/u_cancel/cancel", new { at_period_end = true }))
        {
            var body = await r.ReadJsonAsync(202);
            Assert.That(body["cancel_at_period_end"]!.GetValue<bool>(), Is.True);
        }

        await Factory.SettleAsync();
        Assert.That((await GetSubscriptionAsync("u_cancel"))["cancel_at_period_end"]!.GetValue<bool>(), Is.True);
        using (var again = await Admin.PostJsonAsync("/v1/subscriptions/u_cancel/cancel", new { at_period_end = true }))
        {
            await again.ShouldBeProblemAsync(409);
        }

        using (var r = await Admin.PostAsync("/v1/subscriptions/u_cancel/resume", null))
        {
            await r.ReadJsonAsync(202);
        }

        await Factory.SettleAsync();
        Assert.That((await GetSubscriptionAsync("u_cancel"))["cancel_at_period_end"]!.GetValue<bool>(), Is.False);
        using (var notScheduled = await Admin.PostAsync("/v1/subscriptions/u_cancel/resume", null))
        {
            await notScheduled.ShouldBeProblemAsync(409);
        }

        using (var missing = await Admin.PostJsonAsync("/v1/subscriptions/u_cancel/cancel", new { }))
        {
            await missing.ShouldBeProblemAsync(422, field: "at_period_end");
        }

        using (var now = await Admin.PostJsonAsync("/v1/subscriptions/u_cancel/cancel", new { at_period_end = false }))
        {
            await now.ReadJsonAsync(202);
        }

        await Factory.SettleAsync();
        var sub = await GetSubscriptionAsync("u_cancel");
        Assert.That(sub["status"]!.GetValue<string>(), Is.EqualTo("canceled"));
        Assert.That(sub["access"]!["tier"]!.GetValue<string>(), Is.EqualTo("free"));
        using var none = await Admin.PostJsonAsync("/v1/subscriptions/u_cancel/cancel", new { at_period_end = true });
        await none.ShouldBeProblemAsync(404, type: "no_subscription");
    }

    [Test]
    public async Task Plan_change_with_proration_applies_when_the_webhook_confirms_it()
    {
        await SubscribeAsync("u_up", "premium", "monthly");
        using (var bad = await Admin.PostJsonAsync("/v1/subscriptions/u_up/change_plan", new { plan = "pro", cadence = "monthly", proration_behavior = "sometimes" }))
        {
            await bad.ShouldBeProblemAsync(422, field: "proration_behavior");
        }

        using (var same = await Admin.PostJsonAsync("/v1/subscriptions/u_up/change_plan", new { plan = "premium", cadence = "monthly" }))
        {
            await same.ShouldBeProblemAsync(409, type: "same_plan");
        }

        using (var change = await Admin.PostJsonAsync("/v1/subscriptions/u_up/change_plan", new { plan = "pro", cadence = "monthly", proration_behavior = "always_invoice" }))
        {
            var body = await change.ReadJsonAsync(202);
            Assert.That(body["requested"]!.GetValue<string>(), Is.EqualTo("change_plan:upgrade"));
        }

        await Factory.SettleAsync();
        var sub = await GetSubscriptionAsync("u_up");
        Assert.That(sub["plan"]!.GetValue<string>(), Is.EqualTo("pro"));
        Assert.That(sub["entitlements"]!["deploys"]!.GetValue<long>(), Is.EqualTo(25));
        var invoices = await EventsFor<InvoicePaid>("u_up", e => e.UserId);
        Assert.That(invoices, Has.Count.EqualTo(2), "always_invoice bills the proration now");
        Assert.That(invoices[1].BillingReason, Is.EqualTo("subscription_update"));
        Assert.That(invoices[1].Lines.Sum(l => l.Amount), Is.GreaterThan(0).And.LessThan(4900));
        Assert.That(await FirstPaidOf("u_up"), Has.Count.EqualTo(1));
        var last = (await ChangesOf("u_up"))[^1];
        Assert.That(last.Plan, Is.EqualTo("pro"));
    }

    [Test]
    public async Task Reconcile_reports_and_repairs_drift()
    {
        await SubscribeAsync("u_drift");
        await Factory.QueryAsync<Data.SubscriptionsDbContext, int>(db =>
            Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ExecuteUpdateAsync(
                db.Accounts.Where(a => a.UserId == "u_drift"), s => s.SetProperty(a => a.Status, "past_due")));
        using var response = await Admin.PostAsync("/v1/subscriptions/reconcile", null);
        var report = await response.ReadJsonAsync();
        Assert.That(report["checked"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(report["changed"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(report["changes"]![0]!["fields"]!["status"]!["to"]!.GetValue<string>(), Is.EqualTo("active"));
        Assert.That((await GetSubscriptionAsync("u_drift"))["status"]!.GetValue<string>(), Is.EqualTo("active"));
        using var again = await Admin.PostAsync("/v1/subscriptions/reconcile", null);
        Assert.That((await again.ReadJsonAsync())["changed"]!.GetValue<int>(), Is.Zero);
    }

    [Test]
    public async Task Duplicated_and_shuffled_deliveries_converge_with_one_first_paid_transition()
    {
        await Factory.SetStripeWebhookDeliveryAsync(duplicate: true, shuffle: true);
        var sub = await SubscribeAsync("u_chaos", "premium", "monthly");
        Assert.That(sub["status"]!.GetValue<string>(), Is.EqualTo("active"));
        Assert.That(await FirstPaidOf("u_chaos"), Has.Count.EqualTo(1));
        Assert.That(await EventsFor<InvoicePaid>("u_chaos", e => e.UserId), Has.Count.EqualTo(1));
    }

    private async Task RunAccessExpiryAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<Jobs.AccessExpiryJob>().RunOnceAsync(CancellationToken.None);
        await Factory.DrainOutboxAsync();
    }
}
