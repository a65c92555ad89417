using System.Globalization;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Monetization.TestKit;

namespace Monetization.EndToEnd.Tests;

/// <summary>
/// Issue 16, part 2: the state after any delivery order is the state after in-order delivery. The events are the ones the
/// Stripe emulator really sent (read from its event list after a run through the Host): a checkout of a referred user, a
/// plugin installed on that subscription, a renewal whose payment fails (grace) and is then paid (recovery), a plan change, a
/// deletion, a second user whose renewal fails and stays in grace and whose first payment is then refunded, and a third
/// whose renewal fails and is then paid (grace cleared by the payment). Each FsCheck case delivers them, signed, to a fresh
/// Host (the Host's data as it was before the run, the emulator as it is after it, so re-fetches see Stripe's current
/// state) in a random order, with random duplicates and a random subset held back and delivered last; the final state of
/// every user (access, plan, status, grace, referral credit of both sides), the developer's Marketplace revenue and the
/// users with a <c>FirstPaidTransition</c> (each exactly once), the invoices announced paid (each once) and the refunds with the
/// invoice they refund (found even when the refund comes before its invoice's events: the invoice is fetched from Stripe)
/// must equal the state after in-order delivery. On failure FsCheck prints the seed to replay and the delivery order.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DeliveryOrderPropertyTests
{
    private const string Referrer = "user_rita";
    private const string Buyer = "user_uma";
    private const string Lapsing = "user_gil";
    private const string Recovering = "user_rae";
    private const string Developer = "dev_order";
    private const string WebhookSecret = "whsec_delivery_order_property_0001";
    private const string StateFile = "stripe-emulator.json";
    private const string Card0341 = "4000000000000341";

    /// <summary>Cases per run: enough orders to meet the interesting ones, few enough to keep the suite fast.</summary>
    private const int Cases = 30;

    private string _root = "";
    private string _template = "";
    private string _stripeState = "";
    private List<string> _events = [];
    private JsonObject _inOrder = null!;

    [OneTimeSetUp]
    public async Task CaptureTheEventsStripeSends()
    {
        _root = Path.Combine(Path.GetTempPath(), "monetization-order", Guid.NewGuid().ToString("N"));
        var live = Path.Combine(_root, "capture");
        _template = Path.Combine(_root, "template");
        Directory.CreateDirectory(live);

        // 1. The world before the money: a developer with a monthly plugin, a referrer and a referred buyer.
        await using (var setup = CreateFactory(live))
        {
            using var api = new Api(setup);
            await PublishPluginAsync(setup, api);
            var code = (await api.GetAsync($"/v1/referrals/{Referrer}")).Str("code");
            await api.PostAsync("/v1/referrals/capture", new { user_id = Buyer, code }, 201);
            await setup.SettleAsync();
        }

        await MonetizationFactory.CopyDataAsync(live, _template, exceptFile: StateFile);

        // 2. The money, through the Host with the in-process emulator; every event it sends is listed afterwards.
        await using (var host = CreateFactory(live))
        {
            using var api = new Api(host);
            var before = (await ListEventsAsync(api)).Select(e => e.Str("id")).ToHashSet(StringComparer.Ordinal);
            await RunTheMoneyAsync(host, api);
            _events = (await ListEventsAsync(api))
                .Where(e => !before.Contains(e.Str("id")))
                .Select(e => e.ToJsonString())
                .ToList();
        }

        _stripeState = Path.Combine(_root, StateFile);
        File.Copy(Path.Combine(live, StateFile), _stripeState);
        Assert.That(_events, Has.Count.GreaterThan(20), "the emulator's events of the run");
        TestContext.Progress.WriteLine($"{_events.Count} events: " + string.Join(", ", _events.Select(e => JsonNode.Parse(e).Str("type"))));

        _inOrder = await DeliverToFreshHostAsync(Enumerable.Range(0, _events.Count).ToList());
        var buyer = _inOrder["subscription_" + Buyer];
        var lapsing = _inOrder["subscription_" + Lapsing];
        var recovering = _inOrder["subscription_" + Recovering];
        Assert.Multiple(() =>
        {
            Assert.That(recovering.Str("status"), Is.EqualTo("active"), "a payment after the failure: " + _inOrder.ToJsonString());
            Assert.That(recovering.StrOrNull("grace_period_end"), Is.Null, "the payment after the failure cleared the grace period");
            Assert.That(recovering.Str("access.reason"), Is.EqualTo("subscription"));
            var refund = _inOrder["refunds"]!.AsArray().Single()!;
            Assert.That((refund.Str("user_id"), refund.StrOrNull("invoice_id") is not null), Is.EqualTo((Lapsing, true)), "the refund names the invoice it refunds");
            Assert.That(buyer.Str("status"), Is.EqualTo("canceled"), _inOrder.ToJsonString());
            Assert.That(lapsing.Str("status"), Is.EqualTo("past_due"), _inOrder.ToJsonString());
            Assert.That(lapsing.StrOrNull("grace_period_end"), Is.Not.Null, "the lapsing user is in grace");
            Assert.That(lapsing.Str("access.tier"), Is.EqualTo("paid"));
            Assert.That(_inOrder["credits_" + Referrer]!.ToJsonString(), Does.Contain("days"), "the referrer was credited");
            Assert.That(_inOrder["earnings"]!.ToJsonString(), Does.Contain("gross"), "the plugin earned revenue");
            Assert.That(_inOrder["first_paid_transitions"]!.AsArray().Select(u => u!.GetValue<string>()), Is.EqualTo(new[] { Lapsing, Recovering, Buyer }),
                "one FirstPaidTransition per paying user (every case must match: exactly once whatever the order and copies)");
        });
    }

    [OneTimeTearDown]
    public async Task DeleteData()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            if (Directory.Exists(_root))
            {
                foreach (var hostData in Directory.GetDirectories(_root))
                {
                    await MonetizationFactory.DeleteDataAsync(hostData);
                }

                Directory.Delete(_root, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: the temp folder is cleaned by the OS.
        }
    }

    [Test]
    public void Any_delivery_order_with_duplicates_and_held_back_events_ends_in_the_in_order_state()
    {
        var indices = Enumerable.Range(0, _events.Count).ToArray();
        var plans =
            from order in Gen.Shuffle(indices)
            from duplicated in Gen.SubListOf(indices)
            from heldBack in Gen.SubListOf(indices)
            let held = heldBack.ToHashSet()
            from early in Gen.Shuffle(order.Where(i => !held.Contains(i)).Concat(duplicated.Where(i => !held.Contains(i))).ToArray())
            from late in Gen.Shuffle(order.Where(held.Contains).Concat(duplicated.Where(held.Contains)).ToArray())
            select early.Concat(late).ToList();
        var property = Prop.ForAll(plans.ToArbitrary(), plan =>
        {
            var state = DeliverToFreshHostAsync(plan).GetAwaiter().GetResult();
            var differences = new List<string>();
            Diff(_inOrder, state, "", differences);
            return (differences.Count == 0).Label($"delivery order (indices into the captured events) {string.Join(",", plan)}\ndifferences (path: in order ≠ this order):\n{string.Join("\n", differences)}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true), property);
    }

    [Test]
    public async Task A_first_invoice_paid_alone_gives_each_buyer_the_in_order_state_at_once()
    {
        // Only each buyer's first invoice.paid (twice), before any checkout.session.completed or customer.subscription.*:
        // the subscription is fetched from Stripe, so neither buyer stays free or incomplete, and the referral is rewarded once.
        var firstPaid = _events
            .Select((body, index) => (Event: JsonNode.Parse(body)!, Index: index))
            .Where(e => e.Event.Str("type") == "invoice.paid")
            .GroupBy(e => e.Event.Str("data.object.customer"))
            .Select(g => g.First().Index)
            .ToList();
        Assert.That(firstPaid, Has.Count.EqualTo(3), "one first invoice per buyer");
        var state = await DeliverToFreshHostAsync([.. firstPaid, .. firstPaid]);
        var differences = new List<string>();
        foreach (var key in new[] { "subscription_" + Buyer, "subscription_" + Lapsing, "subscription_" + Recovering, "credits_" + Referrer, "credits_" + Buyer, "referral_" + Referrer, "first_paid_transitions" })
        {
            Diff(_inOrder[key], state[key], key, differences);
        }

        Assert.That(differences, Is.Empty, string.Join("\n", differences));
    }

    [Test]
    public async Task A_refund_and_a_failure_delivered_before_their_invoices_end_in_the_in_order_state()
    {
        // The refund and every payment failure first, the rest in order: the refund's invoice is looked up at Stripe by its
        // PaymentIntent (so the refund names it), and a failure of an invoice Stripe reports paid since changes nothing.
        var early = _events
            .Select((body, index) => (Type: JsonNode.Parse(body).Str("type"), Index: index))
            .Where(e => e.Type is "charge.refunded" or "invoice.payment_failed")
            .Select(e => e.Index)
            .ToList();
        Assert.That(early.Select(i => JsonNode.Parse(_events[i]).Str("type")), Has.Member("charge.refunded").And.Member("invoice.payment_failed"));
        var state = await DeliverToFreshHostAsync([.. early, .. Enumerable.Range(0, _events.Count).Where(i => !early.Contains(i))]);
        var differences = new List<string>();
        Diff(_inOrder, state, "", differences);
        Assert.That(differences, Is.Empty, string.Join("\n", differences));
    }

    [Test]
    public async Task An_invoice_payment_delivered_before_its_invoice_records_the_invoice_from_Stripe()
    {
        // Stripe (basil and later) also sends invoice_payment.paid, which the emulator does not: it is built from the
        // emulator's own invoice payment of a buyer's first invoice (the object its invoice.paid carries in
        // payments.data) and delivered before everything else. The invoice is fetched from Stripe and recorded paid at once.
        var firstPaid = _events.Select(body => JsonNode.Parse(body)!).Last(e => e.Str("type") == "invoice.paid"
            && e.Str("data.object.billing_reason") == "subscription_create" && e.Long("data.object.amount_paid") > 0);
        var payment = firstPaid["data"]!["object"]!["payments"]!["data"]![0]!.DeepClone();
        var paymentEvent = firstPaid.DeepClone().AsObject();
        paymentEvent["id"] = "evt_invoice_payment_" + firstPaid.Str("id")[4..];
        paymentEvent["type"] = "invoice_payment.paid";
        paymentEvent["data"] = new JsonObject { ["object"] = payment };
        var invoiceId = payment.Str("invoice");
        _events.Add(paymentEvent.ToJsonString());
        var early = _events.Count - 1;
        try
        {
            var alone = await DeliverToFreshHostAsync([early]);
            Assert.That(alone["invoices_paid"]!.AsArray().Select(i => i!.GetValue<string>()), Is.EqualTo(new[] { invoiceId }),
                "the invoice, fetched from Stripe, is recorded paid and announced once");

            var state = await DeliverToFreshHostAsync([early, .. Enumerable.Range(0, early)]);
            var differences = new List<string>();
            Diff(_inOrder, state, "", differences);
            Assert.That(differences, Is.Empty, string.Join("\n", differences));
        }
        finally
        {
            _events.RemoveAt(early);
        }
    }

    [Test]
    public async Task A_refund_whose_invoice_lookup_meets_Stripe_down_is_stored_failed_and_applied_by_the_retry()
    {
        var refundIndex = _events.FindIndex(body => JsonNode.Parse(body).Str("type") == "charge.refunded");
        var refundId = JsonNode.Parse(_events[refundIndex]).Str("id");
        var directory = Path.Combine(_root, "case-" + Guid.NewGuid().ToString("N"));
        await MonetizationFactory.CopyDataAsync(_template, directory);
        File.Copy(_stripeState, Path.Combine(directory, StateFile));
        await using var host = CreateFactory(directory);
        using var api = new Api(host);

        // Stripe down for the invoice lookup (more failures than Stripe.net's retries): the refund is kept, failed, not lost.
        await host.FailStripeAsync("/v1/invoice_payments", count: 20, status: 503, method: "GET");
        using (var response = await host.PostStripeWebhookAsync(_events[refundIndex]))
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        }

        var stored = await api.GetAsync($"/v1/stripe_events/{refundId}");
        Assert.That((stored.Str("status"), stored.StrOrNull("next_attempt_at") is not null), Is.EqualTo(("failed", true)), stored.ToJsonString());
        await host.SettleAsync();
        Assert.That(await host.OutboxEventsAsync<Monetization.IntegrationEvents.Subscriptions.PaymentRefunded>(), Is.Empty, "nothing published yet");

        // Stripe is back: the retry (an admin replay here, the retry job in production) applies it once, naming the invoice.
        await host.ClearStripeFaultsAsync();
        await api.PostAsync($"/v1/stripe_events/{refundId}/replay", null);
        await api.PostAsync($"/v1/stripe_events/{refundId}/replay", null, 409); // processed: a second replay is refused
        using (var again = await host.PostStripeWebhookAsync(_events[refundIndex]))
        {
            Assert.That((int)again.StatusCode, Is.EqualTo(200), "Stripe's redelivery is a duplicate");
        }

        await host.SettleAsync();
        var refund = (await host.OutboxEventsAsync<Monetization.IntegrationEvents.Subscriptions.PaymentRefunded>()).Single();
        var expected = _inOrder["refunds"]!.AsArray().Single()!;
        Assert.That((refund.InvoiceId, refund.UserId, refund.RefundedNow), Is.EqualTo((expected.Str("invoice_id"), expected.Str("user_id"), expected.Long("refunded_now"))));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    /// <summary>Delivers the captured events in <paramref name="order"/> (indices; repeats are redeliveries) and returns the state.</summary>
    private async Task<JsonObject> DeliverToFreshHostAsync(IReadOnlyList<int> order)
    {
        var directory = Path.Combine(_root, "case-" + Guid.NewGuid().ToString("N"));
        await MonetizationFactory.CopyDataAsync(_template, directory);
        File.Copy(_stripeState, Path.Combine(directory, StateFile));
        try
        {
            await using var host = CreateFactory(directory);
            using var api = new Api(host);
            foreach (var index in order)
            {
                using var response = await host.PostStripeWebhookAsync(_events[index]);
                Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
            }

            // Events that failed (a customer not linked yet) are retried, as the retry job or Stripe would.
            for (var round = 0; round < 5; round++)
            {
                var failed = (await api.GetAsync("/v1/stripe_events?status=failed&limit=100")).Arr("data");
                if (failed.Count == 0)
                {
                    break;
                }

                foreach (var evt in failed)
                {
                    await api.PostAsync($"/v1/stripe_events/{evt.Str("id")}/replay", null);
                }
            }

            await host.SettleAsync();
            var state = await SnapshotAsync(api);
            var firstPaid = (await host.OutboxEventsAsync<Monetization.IntegrationEvents.Subscriptions.FirstPaidTransition>())
                .Select(e => e.UserId).Order(StringComparer.Ordinal).ToList();
            state["first_paid_transitions"] = new JsonArray([.. firstPaid.Select(u => (JsonNode)JsonValue.Create(u))]);
            var paidInvoices = (await host.OutboxEventsAsync<Monetization.IntegrationEvents.Subscriptions.InvoicePaid>())
                .Select(e => e.InvoiceId).Order(StringComparer.Ordinal).ToList();
            state["invoices_paid"] = new JsonArray([.. paidInvoices.Select(i => (JsonNode)JsonValue.Create(i))]);
            var refunds = (await host.OutboxEventsAsync<Monetization.IntegrationEvents.Subscriptions.PaymentRefunded>())
                .OrderBy(e => e.ChargeId, StringComparer.Ordinal)
                .Select(e => (JsonNode)new JsonObject
                {
                    ["charge_id"] = e.ChargeId,
                    ["invoice_id"] = e.InvoiceId,
                    ["user_id"] = e.UserId,
                    ["refunded_now"] = e.RefundedNow,
                    ["currency"] = e.Currency,
                });
            state["refunds"] = new JsonArray([.. refunds]);
            return state;
        }
        finally
        {
            await MonetizationFactory.DeleteDataAsync(directory);
        }
    }

    private static MonetizationFactory CreateFactory(string directory)
    {
        var factory = new MonetizationFactory(directory) { KeepData = true };
        foreach (var (key, value) in Story.Settings)
        {
            factory.WithSetting(key, value);
        }

        return factory
            .WithSetting("Stripe:WebhookSecrets:0", WebhookSecret)
            .WithSetting("Stripe:Emulator:StatePath", Path.Combine(directory, StateFile));
    }

    private static async Task PublishPluginAsync(MonetizationFactory factory, Api api)
    {
        await api.PostAsync("/v1/marketplace/developers", new { developer_id = Developer, name = "Order Plugins", email = "dev@order.test" }, 201);
        var link = await api.PostAsync($"/v1/marketplace/developers/{Developer}/onboarding", null);
        await api.OpenPageAsync(link.Str("url"));
        await api.SubmitPageAsync(link.Str("url"));
        await factory.SettleAsync();
        await api.PostAsync("/v1/marketplace/plugins", new
        {
            developer_id = Developer,
            slug = "order-insights",
            name = "Order Insights",
            description = "Dashboards",
            pricing = new { model = "monthly", amount = 1_500, currency = "usd" },
        }, 201);
    }

    /// <summary>Checkout, plugin, failed renewal in grace, recovery, plan change, deletion; then a user left in grace.</summary>
    private static async Task RunTheMoneyAsync(MonetizationFactory factory, Api api)
    {
        // Checkout with a card that pays on session and fails off session (renewals).
        await CheckoutAsync(factory, api, Buyer, "pro");
        var plugin = (await api.GetAsync("/v1/marketplace/plugins?developer_id=" + Developer)).Arr("data").Single()!;
        await api.PostAsync($"/v1/marketplace/plugins/{plugin.Str("id")}/installs", new { user_id = Buyer }, 201);
        await WaitUntilAsync(factory, async () => (await api.GetAsync($"/v1/marketplace/users/{Buyer}/installs?status=all")).Arr("data").Any(i => i.Str("status") == "active"));
        var subscription = (await api.GetAsync($"/v1/subscriptions/{Buyer}")).Str("stripe_subscription_id");

        // The referral credit defers the buyer's next charge through Stripe (trial_end) in the background: wait for it.
        await WaitUntilAsync(factory, async () => Json.At(await api.StripeGetAsync($"subscriptions/{subscription}"), "trial_end") is not null, mayTimeOut: true);

        // The renewal's payment fails: past_due, grace.
        await AdvancePastRenewalAsync(factory, api, subscription);
        var pastDue = await api.GetAsync($"/v1/subscriptions/{Buyer}");
        Assert.That((pastDue.Str("status"), pastDue.StrOrNull("grace_period_end") is not null), Is.EqualTo(("past_due", true)), pastDue.ToJsonString());

        // Recovery: the open invoice is paid; grace ends.
        var customer = pastDue.Str("stripe_customer_id");
        var open = (await api.StripeGetAsync($"invoices?customer={customer}&status=open")).Arr("data").Single()!;
        await api.StripePostAsync($"invoices/{open.Str("id")}/pay", ("paid_out_of_band", "true"));
        await factory.SettleAsync();
        var recovered = await api.GetAsync($"/v1/subscriptions/{Buyer}");
        Assert.That((recovered.Str("status"), recovered.StrOrNull("grace_period_end")), Is.EqualTo(("active", (string?)null)), recovered.ToJsonString());

        // Plan change, then deletion.
        await api.PostAsync($"/v1/subscriptions/{Buyer}/change_plan", new { plan = "premium", cadence = "monthly" }, 202);
        await factory.SettleAsync();
        Assert.That((await api.GetAsync($"/v1/subscriptions/{Buyer}")).Str("plan"), Is.EqualTo("premium"));
        await api.PostAsync($"/v1/subscriptions/{Buyer}/cancel", new { at_period_end = false }, 202);
        await factory.SettleAsync();
        Assert.That((await api.GetAsync($"/v1/subscriptions/{Buyer}")).Str("status"), Is.EqualTo("canceled"));

        // A second user whose renewal fails and who is still in grace at the end, and a third whose renewal fails at the same
        // time and who then pays it (the payment clears grace).
        await CheckoutAsync(factory, api, Lapsing, "pro");
        await CheckoutAsync(factory, api, Recovering, "pro");
        await AdvancePastRenewalAsync(factory, api,
            (await api.GetAsync($"/v1/subscriptions/{Lapsing}")).Str("stripe_subscription_id"),
            (await api.GetAsync($"/v1/subscriptions/{Recovering}")).Str("stripe_subscription_id"));
        Assert.That((await api.GetAsync($"/v1/subscriptions/{Lapsing}")).Str("access.reason"), Is.EqualTo("grace"));
        var failed = await api.GetAsync($"/v1/subscriptions/{Recovering}");
        Assert.That(failed.Str("access.reason"), Is.EqualTo("grace"), failed.ToJsonString());
        var unpaid = (await api.StripeGetAsync($"invoices?customer={failed.Str("stripe_customer_id")}&status=open")).Arr("data").Single()!;
        await api.StripePostAsync($"invoices/{unpaid.Str("id")}/pay", ("paid_out_of_band", "true"));
        await factory.SettleAsync();
        var paid = await api.GetAsync($"/v1/subscriptions/{Recovering}");
        Assert.That((paid.Str("status"), paid.StrOrNull("grace_period_end")), Is.EqualTo(("active", (string?)null)), paid.ToJsonString());

        // The lapsing user's first payment is refunded in full (charge.refunded; its invoice is found by PaymentIntent).
        var lapsingCustomer = (await api.GetAsync($"/v1/subscriptions/{Lapsing}")).Str("stripe_customer_id");
        var first = (await api.StripeGetAsync($"invoices?customer={lapsingCustomer}&status=paid")).Arr("data").Single()!;
        await api.StripePostAsync("refunds", ("payment_intent", first.Str("payments.data.0.payment.payment_intent")));
        await factory.SettleAsync();
    }

    private static async Task CheckoutAsync(MonetizationFactory factory, Api api, string user, string plan)
    {
        var checkout = await api.PostAsync("/v1/subscriptions/checkout", new { user_id = user, email = $"{user}@example.com", plan, cadence = "monthly" });
        await factory.CompleteCheckoutAsync(checkout.Str("session_id"), Card0341);
        await factory.SettleAsync();
    }

    /// <summary>Advances the clock once, a minute past the latest next renewal of <paramref name="subscriptions"/>.</summary>
    private static async Task AdvancePastRenewalAsync(MonetizationFactory factory, Api api, params string[] subscriptions)
    {
        long renewal = 0;
        foreach (var subscription in subscriptions)
        {
            var sub = await api.StripeGetAsync($"subscriptions/{subscription}");
            renewal = Math.Max(renewal, Math.Max(sub.Long("items.data.0.current_period_end"), Json.At(sub, "trial_end") is null ? 0 : sub.Long("trial_end")));
        }

        await factory.AdvanceStripeClockAsync(DateTimeOffset.FromUnixTimeSeconds(renewal) - factory.Now + TimeSpan.FromMinutes(1));
        await factory.SettleAsync();
    }

    private static async Task WaitUntilAsync(MonetizationFactory factory, Func<Task<bool>> done, bool mayTimeOut = false)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await factory.SettleAsync();
            if (await done())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.That(mayTimeOut, Is.True, "the background work did not finish in 10 s");
    }

    /// <summary>Every event the emulator has, oldest first (its list is newest first).</summary>
    private static async Task<List<JsonNode>> ListEventsAsync(Api api)
    {
        var all = new List<JsonNode>();
        string? after = null;
        while (true)
        {
            var page = await api.StripeGetAsync("events?limit=100" + (after is null ? "" : "&starting_after=" + after));
            var data = page.Arr("data");
            all.AddRange(data.Select(d => d!.DeepClone()));
            if (!page.Bool("has_more") || data.Count == 0)
            {
                break;
            }

            after = data[^1].Str("id");
        }

        all.Reverse();
        return all;
    }

    /// <summary>
    /// What a user and the developer see, without what differs per Host by design: our own random ids (credit entries, the
    /// referral codes generated on first read), processing times, and <c>version</c> (how many access changes were
    /// published on the way, which depends on the path, not on the destination).
    /// </summary>
    private static async Task<JsonObject> SnapshotAsync(Api api)
    {
        var state = new JsonObject();
        foreach (var user in new[] { Referrer, Buyer, Lapsing, Recovering })
        {
            state["subscription_" + user] = Scrub(await api.GetAsync($"/v1/subscriptions/{user}"));
            state["referral_" + user] = Scrub(await api.GetAsync($"/v1/referrals/{user}"));
            state["credits_" + user] = Scrub(await api.GetAsync($"/v1/referrals/{user}/credits"));
        }

        var earnings = new JsonObject();
        for (var month = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc); month < new DateTime(2027, 6, 1, 0, 0, 0, DateTimeKind.Utc); month = month.AddMonths(1))
        {
            var period = month.ToString("yyyy-MM", CultureInfo.InvariantCulture);
            earnings[period] = Scrub(await api.GetAsync($"/v1/marketplace/developers/{Developer}/earnings?period={period}"));
        }

        state["earnings"] = earnings;
        return state;
    }

    private static readonly HashSet<string> Volatile = new(StringComparer.Ordinal) { "id", "entry_id", "code", "version", "updated_at", "created_at", "received_at", "processed_at", "occurred_at", "granted_at" };

    private static JsonNode? Scrub(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!Volatile.Contains(key))
                    {
                        copy[key] = Scrub(value);
                    }
                }

                return copy;
            case JsonArray array:
                return new JsonArray([.. array.Select(Scrub)]);
            default:
                return node?.DeepClone();
        }
    }

    private static void Diff(JsonNode? expected, JsonNode? actual, string path, List<string> differences)
    {
        switch (expected, actual)
        {
            case (JsonObject e, JsonObject a):
                foreach (var key in e.Select(p => p.Key).Union(a.Select(p => p.Key)))
                {
                    Diff(e[key], a[key], path + "." + key, differences);
                }

                return;
            case (JsonArray e, JsonArray a) when e.Count == a.Count:
                for (var i = 0; i < e.Count; i++)
                {
                    Diff(e[i], a[i], $"{path}[{i}]", differences);
                }

                return;
            default:
                if (!JsonNode.DeepEquals(expected, actual))
                {
                    differences.Add($"{path}: {expected?.ToJsonString() ?? "null"} ≠ {actual?.ToJsonString() ?? "null"}");
                }

                return;
        }
    }
}
