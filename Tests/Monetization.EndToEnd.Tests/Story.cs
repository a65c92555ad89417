using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.TestKit;

namespace Monetization.EndToEnd.Tests;

/// <summary>
/// The end-to-end story of issue 8, through HTTP only, against one Host with the in-process Stripe emulator. Each step
/// asserts what the modules expose; <see cref="RunAsync"/> returns a normalized snapshot of the final state (ids and
/// timestamps scrubbed) so two runs under different webhook deliveries can be compared.
///
/// Story choices forced by Stripe's (and the emulator's) rules, see docs/walkthrough.md "Why the story is shaped so":
/// B subscribes monthly (the monthly plugin is an item of B's subscription and is billed at B's renewals; Stripe bills
/// items with the subscription's interval), with a 14-day trial configured for premium monthly; B pays the trial
/// checkout with 4242 and later replaces the card by the 0341 card it used to buy credits (a card that works on
/// session and fails off session), because a trial's first charge is itself off session.
/// </summary>
internal sealed partial class Story(MonetizationFactory factory) : IDisposable
{
    public const string UserA = "user_alice";
    public const string UserB = "user_bob";
    public const string Developer = "dev_acme";
    public const string Model = "house_model";
    public const long PluginPrice = 1_500;
    public const long CreditPackage = 500;
    private const string Card4242 = "4242424242424242";
    private const string Card0341 = "4000000000000341";

    private readonly Api _api = new(factory);
    private readonly List<string> _productBugs = [];
    private string _pluginId = "";
    private string _pluginPriceId = "";
    private string _accountId = "";
    private string _subscriptionA = "";
    private string _subscriptionB = "";
    private string _customerB = "";
    private string _creditSessionB = "";

    /// <summary>The settings the story's Host runs with (also documented at the top of docs/walkthrough.md).</summary>
    public static IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Plans:premium:Prices:monthly:TrialDays"] = "14",
        [$"Usage:ModelPrices:{Model}:Input"] = "20",
        [$"Usage:ModelPrices:{Model}:Output"] = "60",
        ["Usage:InvoiceJob:Enabled"] = "false",
        ["Marketplace:PayoutScheduleEnabled"] = "false",
        ["Subscriptions:JobPollSeconds"] = "1",
        ["Marketplace:StripeCallPollSeconds"] = "1",
    };

    public static MonetizationFactory CreateFactory()
    {
        var factory = new MonetizationFactory();
        foreach (var (key, value) in Settings)
        {
            factory.WithSetting(key, value);
        }

        return factory;
    }

    /// <summary>Runs the whole story and returns the normalized final state.</summary>
    public async Task<JsonObject> RunAsync()
    {
        await DeveloperPublishesMonthlyPluginAsync();
        await ReferralAndPayingReferrerAsync();
        await FreeUserInstallsAndHitsLimitsAsync();
        await ReferredUserStartsTrialAsync();
        await TrialEndsFirstPaymentConvertsReferralAsync();
        await CreditsSpentFirstOnUsageInvoiceAsync();
        await PluginBilledPaidOutThenRefundedAsync();
        await RenewalFailsGraceThenFreeAsync();
        await EverythingDeliveredAsync();
        return await SnapshotAsync();
    }

    /// <summary>
    /// Product bugs the story met: each is an assertion of the right behaviour that failed. The story records them and goes
    /// on with what the product did, so the rest is still checked; the tests fail at the end while this is not empty.
    /// </summary>
    public IReadOnlyList<string> ProductBugs => _productBugs;

    public void Dispose() => _api.Dispose();

    private void ExpectProduct(bool holds, string bug)
    {
        if (!holds)
        {
            _productBugs.Add(bug);
        }
    }

    // 1. A developer registers, onboards to Connect (the hosted page), publishes a monthly plugin.
    private async Task DeveloperPublishesMonthlyPluginAsync()
    {
        var developer = await _api.PostAsync("/v1/marketplace/developers", new { developer_id = Developer, name = "Acme Plugins", email = "dev@acme.test" }, 201);
        Assert.That(developer.Long("revenue_share_bps"), Is.EqualTo(7000), "default split 70/30");
        Assert.That(developer.Bool("payouts_enabled"), Is.False);

        var link = await _api.PostAsync($"/v1/marketplace/developers/{Developer}/onboarding", null);
        _accountId = link.Str("stripe_account_id");
        var page = await _api.OpenPageAsync(link.Str("url"));
        Assert.That(page, Does.Contain("Complete onboarding"));
        await _api.SubmitPageAsync(link.Str("url"));
        await factory.SettleAsync();

        developer = await _api.GetAsync($"/v1/marketplace/developers/{Developer}");
        Assert.That(developer.Str("stripe_account_id"), Is.EqualTo(_accountId));
        Assert.That(developer.Bool("payouts_enabled") && developer.Bool("charges_enabled") && developer.Bool("details_submitted"), Is.True, developer.ToJsonString());

        var plugin = await _api.PostAsync("/v1/marketplace/plugins", new
        {
            developer_id = Developer,
            slug = "insights",
            name = "Insights",
            description = "Dashboards for your deploys",
            pricing = new { model = "monthly", amount = PluginPrice, currency = "usd" },
        }, 201);
        _pluginId = plugin.Str("id");
        _pluginPriceId = plugin.Str("stripe_price_id");
        Assert.That(plugin.Str("status"), Is.EqualTo("active"));
        Assert.That(plugin.StrOrNull("stripe_price_id"), Is.Not.Null, "a monthly plugin gets a recurring Stripe price");
        var price = await _api.StripeGetAsync($"prices/{plugin.Str("stripe_price_id")}");
        Assert.That((price.Long("unit_amount"), price.Str("recurring.interval")), Is.EqualTo((PluginPrice, "month")));
    }

    // 2. A reads their code, B signs up with it; A becomes a paying user (pro monthly, 4242).
    private async Task ReferralAndPayingReferrerAsync()
    {
        var summary = await _api.GetAsync($"/v1/referrals/{UserA}");
        var code = summary.Str("code");
        Assert.That(code, Does.Match("^[A-HJKMNP-Z2-9]{8}$"));

        var referral = await _api.PostAsync("/v1/referrals/capture", new { user_id = UserB, code = code.ToLowerInvariant() }, 201);
        Assert.That((referral.Str("referrer_user_id"), referral.Str("referred_user_id"), referral.Str("reward_status")), Is.EqualTo((UserA, UserB, "pending")));

        var checkout = await _api.PostAsync("/v1/subscriptions/checkout", new { user_id = UserA, email = "alice@example.com", plan = "pro", cadence = "monthly" });
        await factory.CompleteCheckoutAsync(checkout.Str("session_id"), Card4242);
        await factory.SettleAsync();

        var a = await _api.GetAsync($"/v1/subscriptions/{UserA}");
        Assert.That((a.Str("plan"), a.Str("status"), a.Str("access.tier"), a.Str("access.reason")), Is.EqualTo(("pro", "active", "paid", "subscription")), a.ToJsonString());
        _subscriptionA = a.Str("stripe_subscription_id");
        var first = await factory.OutboxEventsAsync<FirstPaidTransition>();
        Assert.That(first.Select(e => e.UserId), Is.EqualTo(new[] { UserA }), "A's first payment (A was not referred: no reward)");
    }

    // 3. B, still free, installs the plugin (pending) and consumes up to the free limits.
    private async Task FreeUserInstallsAndHitsLimitsAsync()
    {
        var install = await _api.PostAsync($"/v1/marketplace/plugins/{_pluginId}/installs", new { user_id = UserB }, 201);
        Assert.That((install.Str("status"), install.Str("pricing_model")), Is.EqualTo(("pending", "monthly")), "a free user's monthly install waits for the first payment");

        var consumption = await _api.GetWithAlertAsync($"/v1/usage/{UserB}/consumption");
        Assert.That(consumption.Body.Str("plan"), Is.EqualTo("free"));
        Assert.That(Meter(consumption.Body, "tokens").Long("limit"), Is.EqualTo(100_000));
        Assert.That(Meter(consumption.Body, "api_calls").Long("limit"), Is.EqualTo(300));
        Assert.That(consumption.Alert, Is.Null);

        await IngestTokensAsync("b-tokens-1", 60_000, 20_000);
        consumption = await _api.GetWithAlertAsync($"/v1/usage/{UserB}/consumption");
        Assert.That(consumption.Alert, Is.EqualTo("soft_limit_warning"), consumption.Body.ToJsonString());
        var tokens = Meter(consumption.Body, "tokens");
        Assert.That((tokens.Long("used"), tokens.Long("remaining")), Is.EqualTo((80_000L, 20_000L)));
        Assert.That(consumption.Body.Arr("alerts").Single().Str("level"), Is.EqualTo("soft"));
        var check = await _api.PostAsync($"/v1/usage/{UserB}/check", new { meter = "tokens", quantity = 20_000 });
        Assert.That(check.Bool("allowed"), Is.True, check.ToJsonString());

        await IngestTokensAsync("b-tokens-2", 20_000, 0);
        consumption = await _api.GetWithAlertAsync($"/v1/usage/{UserB}/consumption");
        Assert.That(consumption.Alert, Is.EqualTo("hard_limit_reached"), consumption.Body.ToJsonString());
        Assert.That(Meter(consumption.Body, "tokens").Long("remaining"), Is.Zero);
        check = await _api.PostAsync($"/v1/usage/{UserB}/check", new { meter = "tokens", quantity = 1 });
        Assert.That((check.Bool("allowed"), check.Str("plan")), Is.EqualTo((false, "free")), check.ToJsonString());
    }

    // 4. B buys premium (14-day trial) on the hosted Checkout page: trial access, no first payment yet.
    private async Task ReferredUserStartsTrialAsync()
    {
        var checkout = await _api.PostAsync("/v1/subscriptions/checkout", new { user_id = UserB, email = "bob@example.com", plan = "premium", cadence = "monthly" });
        var page = await _api.OpenPageAsync(checkout.Str("url"));
        Assert.That(page, Does.Contain("Subscribe"));
        var redirect = await _api.SubmitPageAsync(checkout.Str("url"), ("card", Card4242));
        Assert.That(redirect, Does.Contain(checkout.Str("session_id")), "success_url gets the session id");
        await factory.SettleAsync();

        var b = await _api.GetAsync($"/v1/subscriptions/{UserB}");
        Assert.That((b.Str("plan"), b.Str("status"), b.Str("access.tier"), b.Str("access.reason")), Is.EqualTo(("premium", "trialing", "paid", "trial")), b.ToJsonString());
        Assert.That(b.Time("trial_end"), Is.EqualTo(factory.Now.AddDays(14)).Within(TimeSpan.FromMinutes(1)));
        _subscriptionB = b.Str("stripe_subscription_id");
        _customerB = b.Str("stripe_customer_id");

        Assert.That((await factory.OutboxEventsAsync<FirstPaidTransition>()).Where(e => e.UserId == UserB), Is.Empty, "a trial is not a payment");
        var referral = (await _api.GetAsync($"/v1/referrals/{UserB}"))["referred_by"];
        Assert.That((referral.Str("reward_status"), referral.StrOrNull("converted_at")), Is.EqualTo(("pending", (string?)null)));
        Assert.That((await InstallOfB()).Str("status"), Is.EqualTo("pending"), "a trial does not make the install billable");
    }

    // 5. The trial ends: first invoice paid, one FirstPaidTransition, 45 days each, A's next charge moved, plugin billable, premium limits.
    private async Task TrialEndsFirstPaymentConvertsReferralAsync()
    {
        var aBefore = await _api.StripeGetAsync($"subscriptions/{_subscriptionA}");
        var aPeriodEnd = aBefore.Unix("items.data.0.current_period_end");
        var b = await _api.GetAsync($"/v1/subscriptions/{UserB}");
        var trialEnd = b.Time("trial_end");

        await factory.AdvanceStripeClockAsync(trialEnd - factory.Now);
        await factory.SettleAsync();
        var now = factory.Now;

        var firstInvoice = (await _api.StripeGetAsync($"invoices?customer={_customerB}&limit=100")).Arr("data")
            .Single(i => i.Str("billing_reason") == "subscription_cycle");
        Assert.That((firstInvoice.Str("status"), firstInvoice.Long("amount_paid")), Is.EqualTo(("paid", 2_000L)), "premium monthly, after the trial");

        var firstPaid = (await factory.OutboxEventsAsync<FirstPaidTransition>()).Where(e => e.UserId == UserB).ToList();
        Assert.That(firstPaid, Has.Count.EqualTo(1), "exactly one FirstPaidTransition for B");

        var referral = (await _api.GetAsync($"/v1/referrals/{UserB}"))["referred_by"];
        Assert.That(referral.Str("reward_status"), Is.EqualTo("rewarded"), referral?.ToJsonString());
        var summaryA = await _api.GetAsync($"/v1/referrals/{UserA}");
        var summaryB = await _api.GetAsync($"/v1/referrals/{UserB}");
        Assert.That((summaryA.Long("converted_count"), summaryA.Long("credit_days_remaining"), summaryB.Long("credit_days_remaining")), Is.EqualTo((1L, 45L, 45L)));
        Assert.That(summaryA.Time("credit_until"), Is.EqualTo(now.AddDays(45)).Within(TimeSpan.FromMinutes(1)));
        Assert.That(summaryB.Time("credit_until"), Is.EqualTo(now.AddDays(45)).Within(TimeSpan.FromMinutes(1)));

        // Subscriptions sends credit deferrals to Stripe from its background job (outside any transaction): wait for them.
        await EventuallyAsync("A's and B's next charges are deferred in Stripe", async () =>
            Json.At(await _api.StripeGetAsync($"subscriptions/{_subscriptionA}"), "trial_end") is JsonValue
            && (await _api.StripeGetAsync($"subscriptions/{_subscriptionB}")).Long("trial_end") > now.AddDays(40).ToUnixTimeSeconds());
        await factory.SettleAsync();

        var a = await _api.GetAsync($"/v1/subscriptions/{UserA}");
        b = await _api.GetAsync($"/v1/subscriptions/{UserB}");
        Assert.That(a.Time("credit_until"), Is.EqualTo(summaryA.Time("credit_until")), "Subscriptions and Referrals agree on A's credit");
        Assert.That(b.Time("credit_until"), Is.EqualTo(summaryB.Time("credit_until")), "Subscriptions and Referrals agree on B's credit");
        Assert.That((b.Str("plan"), b.Str("access.tier")), Is.EqualTo(("premium", "paid")), b.ToJsonString());

        // A pays: the next charge moves 45 days (Stripe trial_end = old period end + 45 days, no proration).
        var aAfter = await _api.StripeGetAsync($"subscriptions/{_subscriptionA}");
        Assert.That(aAfter.Unix("trial_end"), Is.EqualTo(aPeriodEnd.AddDays(45)), aAfter.ToJsonString());
        Assert.That(aAfter.Str("status"), Is.EqualTo("trialing"));
        Assert.That(a.Str("access.tier"), Is.EqualTo("paid"));

        // B's plugin became billable: an item of B's subscription with the install's metadata. Marketplace adds the item
        // from its Stripe call runner (outside the consumer's transaction): wait for it.
        await EventuallyAsync("B's install becomes active", async () => (await InstallOfB()).Str("status") != "pending");
        await factory.SettleAsync();
        var install = await InstallOfB();
        Assert.That(install.Str("status"), Is.EqualTo("active"), install.ToJsonString());
        var subscriptionB = await _api.StripeGetAsync($"subscriptions/{_subscriptionB}");
        var item = subscriptionB.Arr("items.data").Single(i => i.StrOrNull("metadata.install_id") == install.Str("install_id"));
        Assert.That((item.Str("id"), item.Long("price.unit_amount")), Is.EqualTo((install.Str("stripe_subscription_item_id"), PluginPrice)));
        Assert.That(subscriptionB.Unix("trial_end"), Is.GreaterThan(now.AddDays(45)), "B's own next charge moved too");

        // B's limits are premium's.
        var consumption = await _api.GetWithAlertAsync($"/v1/usage/{UserB}/consumption");
        Assert.That(consumption.Body.Str("plan"), Is.EqualTo("premium"));
        Assert.That((Meter(consumption.Body, "tokens").Long("limit"), Meter(consumption.Body, "api_calls").Long("limit")), Is.EqualTo((1_000_000L, 3_000L)));
        Assert.That(consumption.Alert, Is.Null, "10 % of the premium limit");
        var check = await _api.PostAsync($"/v1/usage/{UserB}/check", new { meter = "tokens", quantity = 1 });
        Assert.That(check.Bool("allowed"), Is.True);
    }

    // 6. B buys credits (with the 0341 card), uses premium tokens, the month closes: credits first, the rest billed.
    private async Task CreditsSpentFirstOnUsageInvoiceAsync()
    {
        var period = (await _api.GetAsync($"/v1/usage/{UserB}/consumption")).Str("period");
        var checkout = await _api.PostAsync($"/v1/usage/{UserB}/credits/checkout", new { package = "small" }, 201);
        Assert.That((checkout.Long("amount"), checkout.Str("currency")), Is.EqualTo((CreditPackage, "usd")));
        _creditSessionB = checkout.Str("session_id");
        await factory.CompleteCheckoutAsync(_creditSessionB, Card0341);
        await factory.SettleAsync();
        var credits = await _api.GetAsync($"/v1/usage/{UserB}/credits");
        Assert.That(credits.Long("balance"), Is.EqualTo(CreditPackage), credits.ToJsonString());

        await IngestTokensAsync("b-tokens-3", 400_000, 100_000);
        var consumption = await _api.GetAsync($"/v1/usage/{UserB}/consumption");
        // Model price 20 / 60 USD per million: (60k+20k+400k) × 20 + (20k+100k) × 60 per million = 9.60 + 7.20 USD.
        Assert.That(consumption.Long("total_cost"), Is.EqualTo(1_680));

        var monthEnd = new DateTimeOffset(factory.Now.Year, factory.Now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        await factory.AdvanceStripeClockAsync(monthEnd.AddDays(3).AddHours(12) - factory.Now);
        await factory.SettleAsync();

        var run = await _api.PostAsync("/v1/usage/invoices", new { period });
        Assert.That(run.Str("period"), Is.EqualTo(period));
        await factory.SettleAsync();
        var again = await _api.PostAsync("/v1/usage/invoices", new { period });
        Assert.That(again.Long("invoices_created"), Is.Zero, "a second run invoices nothing");

        var invoice = (await _api.GetAsync($"/v1/usage/{UserB}/invoices")).Arr("data").Single();
        Assert.That(invoice.Str("period"), Is.EqualTo(period));
        Assert.That((invoice.Long("subtotal"), invoice.Long("credits_applied"), invoice.Long("amount_due")), Is.EqualTo((1_680L, CreditPackage, 1_680L - CreditPackage)), invoice?.ToJsonString());
        Assert.That(invoice.Str("status"), Is.EqualTo("paid"), invoice?.ToJsonString());
        var stripeInvoice = await _api.StripeGetAsync($"invoices/{invoice.Str("stripe_invoice_id")}");
        Assert.That((stripeInvoice.Str("status"), stripeInvoice.Long("amount_paid")), Is.EqualTo(("paid", 1_680L - CreditPackage)));
        credits = await _api.GetAsync($"/v1/usage/{UserB}/credits");
        Assert.That(credits.Long("balance"), Is.Zero, "the package was spent first");
    }

    // 7. B's renewal bills the plugin; the payout run pays the developer once; a refund after the payout is a carried debt.
    private async Task PluginBilledPaidOutThenRefundedAsync()
    {
        var subscriptionB = await _api.StripeGetAsync($"subscriptions/{_subscriptionB}");
        var renewal = subscriptionB.Unix("trial_end");
        var payable = renewal.UtcDateTime.Date.AddDays(15); // the 14-day hold, rounded up to the next UTC midnight
        await factory.AdvanceStripeClockAsync(new DateTimeOffset(payable, TimeSpan.Zero).AddHours(12) - factory.Now);
        await factory.SettleAsync();

        var invoices = (await _api.StripeGetAsync($"invoices?customer={_customerB}&limit=100")).Arr("data");
        var pluginInvoice = invoices.Single(i => i.Unix("created") == renewal && i.Str("billing_reason") == "subscription_cycle")!;
        Assert.That(pluginInvoice.Str("status"), Is.EqualTo("paid"), pluginInvoice.ToJsonString());
        var lines = (await _api.StripeGetAsync($"invoices/{pluginInvoice.Str("id")}/lines?limit=100")).Arr("data");
        var pluginLines = lines.Where(l => l.StrOrNull("pricing.price_details.price") == _pluginPriceId).ToList();
        var pluginCharged = pluginLines.Sum(l => l!.Long("amount"));
        // docs/modules/marketplace.md: a pending install activated by the first payment is charged from the next billing
        // date (no partial first month), whichever of Marketplace's item and Subscriptions' credit deferral reaches Stripe first.
        Assert.That(pluginCharged, Is.EqualTo(PluginPrice), $"exactly one plugin month on {pluginInvoice.Str("id")}: {lines.ToJsonString()}");
        Assert.That(pluginLines, Has.Count.EqualTo(1), "no proration line for the first partial month");

        var period = $"{renewal.UtcDateTime:yyyy-MM}";
        var earnings = await _api.GetAsync($"/v1/marketplace/developers/{Developer}/earnings?period={period}");
        var totals = earnings.Arr("totals").Single();
        var gross = totals.Long("gross");
        ExpectProduct(gross == pluginCharged,
            $"Marketplace (Consumers/RecordSubscriptionRevenue.cs): B's invoice {pluginInvoice.Str("id")} charged {pluginCharged} for the plugin "
            + $"({string.Join(" + ", pluginLines.Select(l => $"{l.Long("amount")} '{l.Str("description")}' parent={l.Str("parent.type")}"))}), "
            + $"but the developer's earnings record gross {gross}: the proration line (invoice_item_details, no subscription_item, no metadata) is not matched to the install; match it by its price (pricing.price_details.price = the plugin's price) or the emulator should send proration lines as subscription_item_details with proration=true as Stripe does.");
        var developerShare = gross * 7000 / 10000;
        Assert.That((totals.Long("developer_share"), totals.Long("platform_share")), Is.EqualTo((developerShare, gross - developerShare)), "70/30, in integers that sum to the gross");
        Assert.That((totals.Long("payable"), totals.Long("pending"), totals.Long("paid")), Is.EqualTo((developerShare, 0L, 0L)), "past the hold");

        var payouts = await _api.PostAsync("/v1/marketplace/payouts", new { period });
        var payout = payouts.Arr("payouts").Single();
        Assert.That((payout.Str("status"), payout.Long("amount"), payout.Str("stripe_account_id")), Is.EqualTo(("paid", developerShare, _accountId)), payouts.ToJsonString());
        await factory.SettleAsync();
        var second = await _api.PostAsync("/v1/marketplace/payouts", new { period });
        Assert.That(second.Arr("payouts").Where(p => p.Str("status") == "paid" && p.Str("id") != payout.Str("id")), Is.Empty, second.ToJsonString());
        var transfers = (await _api.StripeGetAsync("transfers?limit=100")).Arr("data");
        Assert.That(transfers.Select(t => (t.Str("destination"), t.Long("amount"))), Is.EqualTo(new[] { (_accountId, developerShare) }), "one transfer, whatever the number of runs");
        Assert.That((await _api.GetAsync($"/v1/marketplace/payouts?developer_id={Developer}")).Arr("data"), Has.Count.EqualTo(1));
        totals = (await _api.GetAsync($"/v1/marketplace/developers/{Developer}/earnings?period={period}")).Arr("totals").Single();
        Assert.That((totals.Long("paid"), totals.Long("payable")), Is.EqualTo((developerShare, 0L)));

        // The developer moved the money to their bank: the connected account's balance is 0, so the transfer reversal is
        // refused and the refund is carried as a debt into the next payout (docs/modules/marketplace.md, "Refunds").
        await factory.EmulatorAsync($"accounts/{_accountId}/balance", new { amount = 0, currency = "usd" });
        var refund = await _api.StripePostAsync("refunds", ("payment_intent", PaymentIntentOf(pluginInvoice)));
        Assert.That((refund.Str("status"), refund.Long("amount")), Is.EqualTo(("succeeded", pluginInvoice.Long("amount_paid"))));
        await factory.SettleAsync();

        var refundPeriod = $"{factory.Now.UtcDateTime:yyyy-MM}";
        await EventuallyAsync("the refund's reversal is settled or refused", async () =>
            (await _api.GetAsync($"/v1/marketplace/developers/{Developer}/earnings?period={refundPeriod}")).Arr("totals").SingleOrDefault()?.Long("payable") is < 0);
        var refunded = (await _api.GetAsync($"/v1/marketplace/developers/{Developer}/earnings?period={refundPeriod}")).Arr("totals").Single();
        Assert.That((refunded.Long("refunded"), refunded.Long("developer_share"), refunded.Long("paid"), refunded.Long("payable")),
            Is.EqualTo((gross, -developerShare, 0L, -developerShare)), $"the refund is a negative event of {refundPeriod}, a debt not held: {refunded?.ToJsonString()}");
        var transfer = await _api.StripeGetAsync($"transfers/{payout.Str("transfer_id")}");
        Assert.That(transfer.Long("amount_reversed"), Is.Zero, "no balance to reverse from");
        var next = await _api.PostAsync("/v1/marketplace/payouts", new { period = refundPeriod });
        Assert.That(next.Arr("payouts"), Is.Empty, $"the debt is netted against the next payout: nothing to pay now: {next.ToJsonString()}");
        Assert.That((await _api.StripeGetAsync("transfers?limit=100")).Arr("data"), Has.Count.EqualTo(1));
    }

    // 8. B's card is now the 0341 card: the renewal fails, grace, then canceled → free limits.
    private async Task RenewalFailsGraceThenFreeAsync()
    {
        var session = await _api.StripeGetAsync($"checkout/sessions/{_creditSessionB}?expand[]=payment_intent");
        var card0341 = session.Str("payment_intent.payment_method");
        await _api.StripePostAsync($"subscriptions/{_subscriptionB}", ("default_payment_method", card0341));
        await factory.FlushStripeWebhooksAsync();

        var subscriptionB = await _api.StripeGetAsync($"subscriptions/{_subscriptionB}");
        var renewal = subscriptionB.Unix("items.data.0.current_period_end");
        await factory.AdvanceStripeClockAsync(renewal.AddHours(1) - factory.Now);
        await factory.SettleAsync();

        var b = await _api.GetAsync($"/v1/subscriptions/{UserB}");
        Assert.That((b.Str("status"), b.Str("access.tier"), b.Str("access.reason")), Is.EqualTo(("past_due", "paid", "grace")), b.ToJsonString());
        Assert.That(b.Time("grace_period_end"), Is.EqualTo(renewal.AddDays(3)).Within(TimeSpan.FromMinutes(1)));
        Assert.That((await _api.GetAsync($"/v1/usage/{UserB}/consumption")).Str("plan"), Is.EqualTo("premium"), "grace keeps the limits");

        await factory.AdvanceStripeClockAsync(TimeSpan.FromDays(8));
        await factory.SettleAsync();
        var stripe = await _api.StripeGetAsync($"subscriptions/{_subscriptionB}");
        Assert.That((stripe.Str("status"), stripe.Str("cancellation_details.reason")), Is.EqualTo(("canceled", "payment_failed")));
        b = await _api.GetAsync($"/v1/subscriptions/{UserB}");
        Assert.That((b.Str("plan"), b.Str("status"), b.Str("access.tier")), Is.EqualTo(("free", "canceled", "free")), b.ToJsonString());
        var consumption = await _api.GetWithAlertAsync($"/v1/usage/{UserB}/consumption");
        Assert.That(consumption.Body.Str("plan"), Is.EqualTo("free"));
        Assert.That((Meter(consumption.Body, "tokens").Long("limit"), Meter(consumption.Body, "api_calls").Long("limit")), Is.EqualTo((100_000L, 300L)));
        Assert.That((await InstallOfB()).Str("status"), Is.EqualTo("pending"), "the plugin's item died with the subscription");

        var a = await _api.GetAsync($"/v1/subscriptions/{UserA}");
        Assert.That((a.Str("plan"), a.Str("access.tier")), Is.EqualTo(("pro", "paid")), "A kept paying with 4242");
    }

    // Nothing left behind: every outbox drained, no dead letter, no failed Stripe event.
    private async Task EverythingDeliveredAsync()
    {
        await factory.SettleAsync();
        foreach (var stats in await factory.OutboxStatsAsync())
        {
            Assert.That((stats.Pending, stats.Due, stats.DeadLettered), Is.EqualTo((0, 0, 0)), stats.ToString());
        }

        Assert.That((await _api.GetAsync("/v1/admin/dead_letters")).Arr("data"), Is.Empty);
        Assert.That((await _api.GetAsync("/v1/stripe_events?status=failed")).Arr("data"), Is.Empty);
    }

    private async Task<JsonObject> SnapshotAsync()
    {
        var periods = new[] { "2026-11", "2026-12", "2027-01", "2027-02", "2027-03" };
        var snapshot = new JsonObject
        {
            ["subscription_a"] = await _api.GetAsync($"/v1/subscriptions/{UserA}"),
            ["subscription_b"] = await _api.GetAsync($"/v1/subscriptions/{UserB}"),
            ["referrals_a"] = await _api.GetAsync($"/v1/referrals/{UserA}"),
            ["referrals_b"] = await _api.GetAsync($"/v1/referrals/{UserB}"),
            ["referrals_made_by_a"] = await _api.GetAsync($"/v1/referrals/{UserA}/referrals"),
            ["credits_a"] = await _api.GetAsync($"/v1/referrals/{UserA}/credits"),
            ["credits_b"] = await _api.GetAsync($"/v1/referrals/{UserB}/credits"),
            ["installs_b"] = await _api.GetAsync($"/v1/marketplace/users/{UserB}/installs?status=all"),
            ["developer"] = await _api.GetAsync($"/v1/marketplace/developers/{Developer}"),
            ["plugin"] = await _api.GetAsync($"/v1/marketplace/plugins/{_pluginId}"),
            ["payouts"] = await _api.GetAsync("/v1/marketplace/payouts"),
            ["usage_consumption_b_2026_11"] = await _api.GetAsync($"/v1/usage/{UserB}/consumption?month=2026-11"),
            ["usage_consumption_b_now"] = await _api.GetAsync($"/v1/usage/{UserB}/consumption"),
            ["usage_credits_b"] = await _api.GetAsync($"/v1/usage/{UserB}/credits"),
            ["usage_invoices_b"] = await _api.GetAsync($"/v1/usage/{UserB}/invoices"),
            ["first_paid_transitions"] = new JsonArray((await factory.OutboxEventsAsync<FirstPaidTransition>()).Select(e => (JsonNode?)e.UserId).ToArray()),
        };
        foreach (var period in periods)
        {
            snapshot[$"earnings_{period}"] = await _api.GetAsync($"/v1/marketplace/developers/{Developer}/earnings?period={period}");
        }

        return (JsonObject)Snapshot.Scrub(snapshot, OpaqueKeys)!;
    }

    /// <summary>Keys whose values are random by nature in the story's answers (referral codes, row versions, webhook signing secrets).</summary>
    public static readonly string[] OpaqueKeys = ["code", "version", "secret"];

    private static JsonNode Meter(JsonNode consumption, string meter) =>
        consumption.Arr("meters").Single(m => m.Str("meter") == meter)!;

    private static string PaymentIntentOf(JsonNode? invoice) =>
        invoice.StrOrNull("payments.data.0.payment.payment_intent") ?? throw new AssertionException($"no payment intent on {invoice?.ToJsonString()}");

    /// <summary>Polls (every 50 ms, at most 30 s) for the result of background work that has no route to trigger it.</summary>
    private static async Task EventuallyAsync(string what, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within 30 s: {what}.");
            }

            await Task.Delay(50);
        }
    }

    private async Task<JsonNode> InstallOfB() =>
        (await _api.GetAsync($"/v1/marketplace/users/{UserB}/installs?status=all")).Arr("data").Single(i => i.Str("plugin_id") == _pluginId)!;

    private async Task IngestTokensAsync(string eventId, long input, long output)
    {
        var accepted = await _api.PostAsync("/v1/usage/events", new
        {
            events = new[]
            {
                new { event_id = eventId, user_id = UserB, meter = "tokens", timestamp = Json.Iso(factory.Now), properties = new { model = Model, input_tokens = input, output_tokens = output } },
            },
        }, 202);
        Assert.That(accepted.Long("accepted"), Is.EqualTo(1), accepted.ToJsonString());
    }
}
