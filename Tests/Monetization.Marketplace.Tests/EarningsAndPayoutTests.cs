using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monetization.IntegrationEvents.Marketplace;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Features.Payouts;
using Monetization.TestKit;

namespace Monetization.Marketplace.Tests;

public sealed class EarningsAndPayoutTests
{
    private static async Task<(MarketplaceHarness H, string Plugin, string Account)> PaidDeveloperAsync(bool enablePayouts = true, long price = 10_000)
    {
        var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var account = enablePayouts ? await h.EnablePayoutsAsync() : "";
        var plugin = await h.PublishPluginAsync("themes", new { model = "one_time", amount = price, currency = "usd" });
        return (h, plugin, account);
    }

    [TestCase("2026-13")]
    [TestCase("2026-1")]
    [TestCase("november")]
    [TestCase("")]
    public async Task Malformed_period_is_a_422(string period)
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        using var response = await h.Read.GetAsync($"/v1/marketplace/developers/dev_1/earnings?period={period}");
        await response.ShouldBeProblemAsync(422, field: "period");
        using var payouts = await h.Admin.PostJsonAsync("/v1/marketplace/payouts", new { period });
        await payouts.ShouldBeProblemAsync(422, field: "period");
    }

    [Test]
    public async Task Earnings_of_an_unknown_developer_404_future_payout_period_422_and_empty_period_zero()
    {
        await using var h = new MarketplaceHarness();
        using var missing = await h.Read.GetAsync("/v1/marketplace/developers/ghost/earnings?period=2026-11");
        await missing.ShouldBeProblemAsync(404);
        using var future = await h.Admin.PostJsonAsync("/v1/marketplace/payouts", new { period = "2027-01" });
        await future.ShouldBeProblemAsync(422, field: "period");
        await h.RegisterDeveloperAsync();
        var empty = await h.EarningsAsync(period: "2026-10");
        Assert.That(empty["totals"]!.AsArray(), Is.Empty);
        Assert.That((await h.Read.GetJsonAsync("/v1/marketplace/developers/dev_1/earnings")).Str("period"), Is.EqualTo("2026-11"));
        using var badList = await h.Read.GetAsync("/v1/marketplace/payouts?status=sent");
        await badList.ShouldBeProblemAsync(422, field: "status");
    }

    [Test]
    public async Task Currencies_are_never_summed_together_and_hold_moves_pending_to_payable()
    {
        var (h, usdPlugin, _) = await PaidDeveloperAsync();
        await using var _h = h;
        var eurPlugin = await h.PublishPluginAsync("eur-themes", new { model = "one_time", amount = 5000, currency = "eur" });
        await h.BuyAsync(usdPlugin, "u1");
        await h.BuyAsync(eurPlugin, "u2");

        var earnings = await h.EarningsAsync();
        Assert.That(earnings["totals"]!.AsArray(), Has.Count.EqualTo(2));
        Assert.That(earnings.Currency("usd").Long("pending"), Is.EqualTo(7000));
        Assert.That(earnings.Currency("eur").Long("developer_share"), Is.EqualTo(3500));
        Assert.That(earnings["plugins"]!.AsArray(), Has.Count.EqualTo(2));

        h.Clock.Advance(TimeSpan.FromDays(14)); // Nov 16 12:00: the hold ends at midnight after earned + 14 days
        Assert.That((await h.EarningsAsync()).Currency("usd").Long("pending"), Is.EqualTo(7000));
        h.Clock.Advance(TimeSpan.FromHours(12));
        var later = await h.EarningsAsync();
        Assert.That(later.Currency("usd").Long("payable"), Is.EqualTo(7000));
        Assert.That(later.Currency("usd").Long("pending"), Is.Zero);
    }

    [Test]
    public async Task Payout_transfers_once_with_a_key_from_developer_and_period_and_repeats_pay_nothing_more()
    {
        var (h, plugin, account) = await PaidDeveloperAsync();
        await using var _h = h;
        await h.BuyAsync(plugin, "u1");
        await h.BuyAsync(plugin, "u2");

        var early = await h.RunPayoutsAsync();
        Assert.That(early["payouts"]!.AsArray(), Is.Empty, "still in the hold");
        Assert.That(await h.TransfersAsync(), Is.Empty);

        h.Clock.Advance(TimeSpan.FromDays(15));
        var run = await h.RunPayoutsAsync();
        var payout = run["payouts"]![0]!;
        Assert.That(payout.Str("status"), Is.EqualTo("paid"));
        Assert.That(payout.Long("amount"), Is.EqualTo(14_000));
        Assert.That(payout.Long("event_count"), Is.EqualTo(2));
        var transfer = (await h.TransfersAsync()).Single();
        Assert.That(transfer.Str("id"), Is.EqualTo(payout.Str("transfer_id")));
        Assert.That(transfer.Str("destination"), Is.EqualTo(account));
        Assert.That(transfer.Long("amount"), Is.EqualTo(14_000));
        Assert.That(transfer.Str("currency"), Is.EqualTo("usd"));
        Assert.That(transfer["metadata"]!.Str("payout_id"), Is.EqualTo(payout.Str("id")));
        Assert.That(await h.BalanceAsync(account), Is.EqualTo(14_000), "the developer's connected account holds it");

        await h.RunPayoutsAsync();
        Assert.That(await h.TransfersAsync(), Has.Count.EqualTo(1));
        var earnings = (await h.EarningsAsync()).Currency("usd");
        Assert.That(earnings.Long("paid"), Is.EqualTo(14_000));
        Assert.That(earnings.Long("payable"), Is.Zero);
        var sent = (await h.Factory.OutboxEventsAsync<PayoutSent>()).Single();
        Assert.That(sent.TransferId, Is.EqualTo(payout.Str("transfer_id")));
        var events = await h.Factory.QueryAsync<MarketplaceDbContext, List<Domain.RevenueEvent>>(db => db.RevenueEvents.ToListAsync());
        Assert.That(events.Select(e => e.TransferId), Is.All.EqualTo(payout.Str("transfer_id")));

        var listed = await h.Read.GetJsonAsync("/v1/marketplace/payouts?developer_id=dev_1");
        Assert.That(listed["data"]!.AsArray().Single()!.Str("id"), Is.EqualTo(payout.Str("id")));
        Assert.That((await h.Read.GetJsonAsync("/v1/marketplace/payouts?developer_id=other"))["data"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task Concurrent_runs_pay_once()
    {
        var (h, plugin, account) = await PaidDeveloperAsync();
        await using var _h = h;
        await h.BuyAsync(plugin, "u1");
        h.Clock.Advance(TimeSpan.FromDays(15));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => h.RunPayoutsAsync()));

        Assert.That(await h.TransfersAsync(), Has.Count.EqualTo(1));
        Assert.That(await h.BalanceAsync(account), Is.EqualTo(7000));
        Assert.That(await h.Factory.OutboxEventsAsync<PayoutSent>(), Has.Count.EqualTo(1));
        Assert.That((await h.EarningsAsync()).Currency("usd").Long("paid"), Is.EqualTo(7000));
    }

    [Test]
    public async Task Stripe_failing_marks_nothing_and_the_next_run_retries_the_same_transfer()
    {
        var (h, plugin, account) = await PaidDeveloperAsync();
        await using var _h = h;
        await h.BuyAsync(plugin, "u1");
        h.Clock.Advance(TimeSpan.FromDays(15));

        await h.Factory.FailStripeAsync("/v1/transfers", MarketplaceHarness.AttemptsPerCall, 500);
        var failed = await h.RunPayoutsAsync();
        Assert.That(failed.Long("failed"), Is.EqualTo(1));
        Assert.That(failed["payouts"]![0]!.Str("status"), Is.EqualTo("pending"));
        Assert.That(failed["payouts"]![0]!["last_error"]!.GetValue<string>(), Is.Not.Empty);
        Assert.That(await h.TransfersAsync(), Is.Empty);
        var unpaid = (await h.EarningsAsync()).Currency("usd");
        Assert.That(unpaid.Long("paid"), Is.Zero);
        Assert.That(unpaid.Long("payable"), Is.EqualTo(7000));
        Assert.That(await h.Factory.OutboxEventsAsync<PayoutSent>(), Is.Empty);
        var told = (await h.Factory.OutboxEventsAsync<PayoutFailed>()).Single();
        Assert.That((told.PayoutId, told.Amount, told.Currency), Is.EqualTo((failed["payouts"]![0]!.Str("id"), 7000L, "usd")));
        Assert.That(told.Error, Is.EqualTo(failed["payouts"]![0]!["last_error"]!.GetValue<string>()));

        // A sale meanwhile does not change the retried transfer (same key, same amount); it waits for the next period.
        await h.BuyAsync(plugin, "u2");
        var recovered = await h.RunPayoutsAsync();
        Assert.That(recovered.Long("failed"), Is.Zero);
        Assert.That(recovered["payouts"]![0]!.Str("status"), Is.EqualTo("paid"));
        Assert.That(recovered["payouts"]![0]!.Long("attempts"), Is.EqualTo(2));
        Assert.That((await h.TransfersAsync()).Single().Long("amount"), Is.EqualTo(7000));
        Assert.That(await h.BalanceAsync(account), Is.EqualTo(7000));
        Assert.That((await h.EarningsAsync()).Currency("usd").Long("paid"), Is.EqualTo(7000));
    }

    [Test]
    public async Task Developers_without_payouts_or_below_the_minimum_accumulate_until_a_later_run()
    {
        var (h, plugin, _) = await PaidDeveloperAsync(enablePayouts: false, price: 1000);
        await using var _h = h;
        await h.BuyAsync(plugin, "u1");
        h.Clock.Advance(TimeSpan.FromDays(15));
        var notEnabled = await h.RunPayoutsAsync();
        Assert.That(notEnabled["skipped"]![0]!.Str("reason"), Is.EqualTo("payouts_not_enabled"));

        await h.EnablePayoutsAsync();
        var below = await h.RunPayoutsAsync();
        Assert.That(below["skipped"]![0]!.Str("reason"), Is.EqualTo("below_minimum"));
        Assert.That(below["skipped"]![0]!.Long("payable"), Is.EqualTo(700));

        h.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero));
        await h.BuyAsync(plugin, "u2");
        h.Clock.Advance(TimeSpan.FromDays(15));
        var december = await h.RunPayoutsAsync("2026-12");
        Assert.That(december["payouts"]![0]!.Long("amount"), Is.EqualTo(1400), "November's balance is carried into December's payout");
        Assert.That((await h.TransfersAsync()).Single().Long("amount"), Is.EqualTo(1400));
    }

    [Test]
    public async Task Refund_before_payout_nets_out_and_nothing_is_paid()
    {
        var (h, plugin, _) = await PaidDeveloperAsync();
        await using var _h = h;
        var (_, _, paymentIntent) = await h.BuyAsync(plugin, "u1");
        await h.RefundAsync(paymentIntent);
        var refunded = await h.LatestAsync<PaymentRefunded>();
        Assert.That(refunded.PaymentIntentId, Is.EqualTo(paymentIntent));
        await h.Factory.PublishAsync(refunded with { EventId = Guid.NewGuid() }); // reported twice

        var usd = (await h.EarningsAsync()).Currency("usd");
        Assert.That(usd.Long("gross"), Is.EqualTo(10_000));
        Assert.That(usd.Long("refunded"), Is.EqualTo(10_000));
        Assert.That(usd.Long("developer_share"), Is.Zero);
        Assert.That(usd.Long("platform_share"), Is.Zero);

        h.Clock.Advance(TimeSpan.FromDays(15));
        var run = await h.RunPayoutsAsync();
        Assert.That(run["payouts"]!.AsArray(), Is.Empty);
        Assert.That(await h.TransfersAsync(), Is.Empty);
    }

    [Test]
    public async Task Partial_refunds_in_steps_converge_on_the_refunded_total()
    {
        var (h, plugin, _) = await PaidDeveloperAsync();
        await using var _h = h;
        var (_, _, paymentIntent) = await h.BuyAsync(plugin, "u1");
        await h.RefundAsync(paymentIntent, 2500);
        await h.RefundAsync(paymentIntent, 2500);
        var usd = (await h.EarningsAsync()).Currency("usd");
        Assert.That(usd.Long("refunded"), Is.EqualTo(5000));
        Assert.That(usd.Long("developer_share"), Is.EqualTo(3500));
        Assert.That(usd.Long("developer_share") + usd.Long("platform_share"), Is.EqualTo(5000));
    }

    [Test]
    public async Task Refund_after_payout_reverses_the_transfer_when_the_account_has_the_balance()
    {
        var (h, plugin, account) = await PaidDeveloperAsync();
        await using var _h = h;
        var (_, _, paymentIntent) = await h.BuyAsync(plugin, "u1");
        h.Clock.Advance(TimeSpan.FromDays(15));
        var transferId = (await h.RunPayoutsAsync())["payouts"]![0]!.Str("transfer_id");

        await h.RefundAsync(paymentIntent, 5000);
        var reversal = (await h.ReversalsAsync(transferId)).Single();
        Assert.That(reversal.Long("amount"), Is.EqualTo(3500));
        Assert.That(await h.BalanceAsync(account), Is.EqualTo(3500));
        var usd = (await h.EarningsAsync()).Currency("usd");
        Assert.That(usd.Long("refunded"), Is.EqualTo(5000));
        Assert.That(usd.Long("developer_share"), Is.EqualTo(3500));
        Assert.That(usd.Long("paid"), Is.EqualTo(3500));
        Assert.That(usd.Long("payable"), Is.Zero);

        // The rest refunded later: a second reversal of the rest of the developer's share.
        await h.RefundAsync(paymentIntent);
        Assert.That((await h.ReversalsAsync(transferId)).Sum(r => r.Long("amount")), Is.EqualTo(7000));
        Assert.That(await h.BalanceAsync(account), Is.Zero);
        Assert.That((await h.EarningsAsync()).Currency("usd").Long("paid"), Is.Zero);
    }

    [Test]
    public async Task Refund_after_payout_without_balance_is_a_debt_carried_into_the_next_payout()
    {
        var (h, plugin, account) = await PaidDeveloperAsync();
        await using var _h = h;
        var (_, _, paymentIntent) = await h.BuyAsync(plugin, "u1");
        h.Clock.Advance(TimeSpan.FromDays(15));
        var transferId = (await h.RunPayoutsAsync())["payouts"]![0]!.Str("transfer_id");
        await h.SetBalanceAsync(account, 0); // Stripe already paid it out to the developer's bank

        await h.RefundAsync(paymentIntent);
        Assert.That(await h.ReversalsAsync(transferId), Is.Empty, "Stripe refused the reversal");
        Assert.That((await h.EarningsAsync()).Currency("usd").Long("payable"), Is.EqualTo(-7000));

        h.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        await h.BuyAsync(plugin, "u2");
        await h.BuyAsync(plugin, "u3");
        h.Clock.Advance(TimeSpan.FromDays(15));
        var december = await h.RunPayoutsAsync("2026-12");
        Assert.That(december["payouts"]![0]!.Long("amount"), Is.EqualTo(14_000 - 7000));
        Assert.That((await h.TransfersAsync()).Select(t => t.Long("amount")), Is.EquivalentTo(new[] { 7000L, 7000L }));
        Assert.That((await h.EarningsAsync()).Currency("usd").Long("payable"), Is.Zero, "November's debt is settled");
    }

    [Test]
    public async Task The_monthly_job_pays_the_previous_period_from_the_payout_day()
    {
        var (h, plugin, _) = await PaidDeveloperAsync();
        await using var _h = h;
        await h.BuyAsync(plugin, "u1");
        var scheduler = h.Factory.Services.GetRequiredService<PayoutScheduler>();
        h.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 14, 12, 0, 0, TimeSpan.Zero));
        Assert.That(await scheduler.RunDueAsync(CancellationToken.None), Is.Null);
        h.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 15, 0, 30, 0, TimeSpan.Zero));
        Assert.That(await scheduler.RunDueAsync(CancellationToken.None), Is.EqualTo("2026-11"));
        Assert.That((await h.TransfersAsync()).Single().Long("amount"), Is.EqualTo(7000));
        Assert.That(await scheduler.RunDueAsync(CancellationToken.None), Is.Null, "done for the period");
    }
}
