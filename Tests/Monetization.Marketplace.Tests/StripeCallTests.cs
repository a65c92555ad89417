using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;
using Monetization.Marketplace.Features.StripeCalls;
using StripeNet = Stripe;
using Monetization.TestKit;

namespace Monetization.Marketplace.Tests;

/// <summary>
/// The Stripe calls consumers decide on (transfer reversals, subscription items) are recorded in the consumer's
/// transaction and made afterwards by the runner: the window between the two steps loses nothing and doubles nothing.
/// </summary>
public sealed class StripeCallTests
{
    private static async Task<(MarketplaceHarness H, string Account, string TransferId, string PaymentIntent)> PaidOutSaleAsync()
    {
        var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var account = await h.EnablePayoutsAsync();
        var plugin = await h.PublishPluginAsync("themes", new { model = "one_time", amount = 10_000, currency = "usd" });
        var (_, _, paymentIntent) = await h.BuyAsync(plugin, "u1");
        h.Clock.Advance(TimeSpan.FromDays(15));
        var transferId = (await h.RunPayoutsAsync())["payouts"]![0]!.Str("transfer_id");
        return (h, account, transferId, paymentIntent);
    }

    [Test]
    public async Task A_reversal_Stripe_fails_stays_recorded_is_not_netted_meanwhile_and_is_made_once_later()
    {
        var (h, account, transferId, paymentIntent) = await PaidOutSaleAsync();
        await using var _h = h;
        await h.Factory.FailStripeAsync($"/v1/transfers/{transferId}/reversals", MarketplaceHarness.AttemptsPerCall, 500);

        await h.RefundAsync(paymentIntent);
        var call = (await h.StripeCallsAsync()).Single();
        Assert.That(call.Kind, Is.EqualTo(StripeCallKinds.TransferReversal));
        Assert.That(call.Status, Is.EqualTo(StripeCallStatuses.Pending));
        Assert.That(call.Attempts, Is.EqualTo(1));
        Assert.That(call.LastError, Is.Not.Null);
        Assert.That(call.Amount, Is.EqualTo(7000));
        Assert.That(await h.ReversalsAsync(transferId), Is.Empty);
        Assert.That(await h.StripeCalls.RunDueAsync(CancellationToken.None), Is.Zero, "backing off");

        // Meanwhile a payout run does not net the refund as a debt (the reversal may still succeed).
        var run = await h.RunPayoutsAsync();
        Assert.That(run["payouts"]!.AsArray(), Is.Empty);
        Assert.That(run["skipped"]!.AsArray(), Is.Empty);

        h.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.That(await h.StripeCalls.RunDueAsync(CancellationToken.None), Is.EqualTo(1));
        Assert.That(await h.StripeCalls.RunDueAsync(CancellationToken.None), Is.Zero);
        await h.SettleAsync();

        var reversal = (await h.ReversalsAsync(transferId)).Single();
        Assert.That(reversal.Long("amount"), Is.EqualTo(7000));
        Assert.That(await h.BalanceAsync(account), Is.Zero);
        var done = (await h.StripeCallsAsync()).Single();
        Assert.That(done.Status, Is.EqualTo(StripeCallStatuses.Done));
        Assert.That(done.Attempts, Is.EqualTo(2));
        Assert.That(done.ResultId, Is.EqualTo(reversal.Str("id")));
        var usd = (await h.EarningsAsync()).Currency("usd");
        Assert.That(usd.Long("paid"), Is.Zero);
        Assert.That(usd.Long("payable"), Is.Zero);
    }

    [Test]
    public async Task A_crash_after_Stripe_reversed_but_before_the_result_was_recorded_reverses_once()
    {
        var (h, account, transferId, paymentIntent) = await PaidOutSaleAsync();
        await using var _h = h;
        await h.Factory.FailStripeAsync($"/v1/transfers/{transferId}/reversals", MarketplaceHarness.AttemptsPerCall, 503);
        await h.RefundAsync(paymentIntent);
        var call = (await h.StripeCallsAsync()).Single();

        // A runner leases the call, Stripe makes the reversal, and the process dies before recording it.
        var leaseUntil = h.Factory.Now.AddMinutes(6);
        await using (var scope = h.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MarketplaceDbContext>();
            await db.StripeCalls.Where(c => c.Id == call.Id).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.LeaseToken, "lease_crashed").SetProperty(c => c.LeaseUntil, leaseUntil).SetProperty(c => c.Attempts, c => c.Attempts + 1));
        }

        h.Clock.Advance(TimeSpan.FromMinutes(1));
        var made = await h.Stripe.V1.Transfers.Reversals.CreateAsync(transferId, StripeCallExecutor.ReversalRequest(call), new StripeNet.RequestOptions { IdempotencyKey = call.IdempotencyKey });
        Assert.That(await h.StripeCalls.RunDueAsync(CancellationToken.None), Is.Zero, "the crashed runner's lease still holds it");
        Assert.That((await h.EarningsAsync()).Currency("usd").Long("paid"), Is.EqualTo(7000), "not recorded yet");

        // The lease ends: the call is made again with the same key, Stripe replays the first reversal, and it is recorded once.
        h.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.That(await h.StripeCalls.RunDueAsync(CancellationToken.None), Is.EqualTo(1));
        await h.SettleAsync();
        Assert.That((await h.ReversalsAsync(transferId)).Select(r => r.Str("id")), Is.EqualTo(new[] { made.Id }));
        Assert.That(await h.BalanceAsync(account), Is.Zero);
        var done = (await h.StripeCallsAsync()).Single();
        Assert.That(done.Status, Is.EqualTo(StripeCallStatuses.Done));
        Assert.That(done.ResultId, Is.EqualTo(made.Id));
        var usd = (await h.EarningsAsync()).Currency("usd");
        Assert.That(usd.Long("paid"), Is.Zero);
        Assert.That(usd.Long("payable"), Is.Zero);
        var refund = await h.Factory.QueryAsync<MarketplaceDbContext, RevenueEvent>(db => db.RevenueEvents.SingleAsync(e => e.Kind == RevenueKinds.Refund));
        Assert.That(refund.TransferReversalId, Is.EqualTo(made.Id));
    }

    [Test]
    public async Task A_subscription_item_Stripe_fails_on_first_payment_is_added_once_later()
    {
        await using var h = new MarketplaceHarness(f => f.WithSetting("Plans:premium:Prices:monthly:TrialDays", "14"));
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("backup", new { model = "monthly", amount = 999, currency = "usd" });
        var subscription = await h.SubscribeAsync("u1");
        var planItems = (await h.SubscriptionItemsAsync(subscription)).Count;
        var install = await h.InstallAsync(plugin, "u1");

        // Stripe keeps failing until the test says otherwise: the clock advance below goes through several steps, and a
        // retry that came due in between must not find Stripe healthy before the assertions.
        await h.Factory.FailStripeAsync("/v1/subscription_items", 1000, 500, method: "POST");
        await h.Factory.AdvanceStripeClockAsync(TimeSpan.FromDays(15)); // the trial ends: FirstPaidTransition
        await h.SettleAsync();
        Assert.That((await h.InstallOfAsync("u1")).Str("status"), Is.EqualTo("pending"), "the first payment was recorded; the item is not added yet");
        var call = (await h.StripeCallsAsync()).Single();
        Assert.That(call.Kind, Is.EqualTo(StripeCallKinds.CreateSubscriptionItem));
        Assert.That(call.Status, Is.EqualTo(StripeCallStatuses.Pending));
        Assert.That(call.InstallId, Is.EqualTo(install.Str("install_id")));
        Assert.That(await h.SubscriptionItemsAsync(subscription), Has.Count.EqualTo(planItems));

        await h.Factory.ClearStripeFaultsAsync();
        h.Clock.Advance(TimeSpan.FromHours(2));
        await h.SettleAsync();
        var active = await h.InstallOfAsync("u1");
        Assert.That(active.Str("status"), Is.EqualTo("active"));
        var items = await h.SubscriptionItemsAsync(subscription);
        Assert.That(items, Has.Count.EqualTo(planItems + 1));
        Assert.That(items.Select(i => i.Str("id")), Does.Contain(active.Str("stripe_subscription_item_id")));
        Assert.That((await h.StripeCallsAsync()).Single().Status, Is.EqualTo(StripeCallStatuses.Done));
    }

    [Test]
    public async Task An_item_added_after_the_user_uninstalled_is_removed_again()
    {
        await using var h = new MarketplaceHarness(f => f.WithSetting("Plans:premium:Prices:monthly:TrialDays", "14"));
        await h.RegisterDeveloperAsync();
        var plugin = await h.PublishPluginAsync("backup", new { model = "monthly", amount = 999, currency = "usd" });
        var subscription = await h.SubscribeAsync("u1");
        var planItems = (await h.SubscriptionItemsAsync(subscription)).Count;
        await h.InstallAsync(plugin, "u1");
        await h.Factory.FailStripeAsync("/v1/subscription_items", 1000, 500, method: "POST"); // until cleared below, whatever the timing
        await h.Factory.AdvanceStripeClockAsync(TimeSpan.FromDays(15));
        await h.SettleAsync();

        // The user uninstalls while the item is still to be added.
        using (var uninstalled = await h.Admin.DeleteAsync($"/v1/marketplace/plugins/{plugin}/installs/u1"))
        {
            Assert.That((await uninstalled.ReadJsonAsync(200)).Str("status"), Is.EqualTo("uninstalled"));
        }

        await h.Factory.ClearStripeFaultsAsync();
        h.Clock.Advance(TimeSpan.FromHours(2));
        await h.SettleAsync();
        Assert.That(await h.SubscriptionItemsAsync(subscription), Has.Count.EqualTo(planItems), "the item Stripe added is deleted again");
        var calls = await h.StripeCallsAsync();
        Assert.That(calls.Select(c => (c.Kind, c.Status)), Is.EqualTo(new[]
        {
            (StripeCallKinds.CreateSubscriptionItem, StripeCallStatuses.Done),
            (StripeCallKinds.DeleteSubscriptionItem, StripeCallStatuses.Done),
        }));
        Assert.That((await h.Read.GetJsonAsync("/v1/marketplace/users/u1/installs?status=all"))["data"]![0]!.Str("status"), Is.EqualTo("uninstalled"));
    }
}
