using System.Text.Json.Nodes;

namespace Monetization.Stripe.Tests.Emulator;

[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class LifecycleTests
{
    [Test]
    public async Task Annual_trial_ends_with_a_paid_cycle_invoice_then_renews()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var price = await h.CreatePriceAsync(12000, "year");
        var (_, subscriptionId, _) = await h.SubscribeAsync((string)price["id"]!, trialDays: 30);
        var mark = await h.FlushAsync();

        await h.AdvanceAsync(TimeSpan.FromDays(27) + TimeSpan.FromHours(1));
        Assert.That(h.Receiver.Since(mark).Select(d => d.Type), Is.EqualTo(new[] { "customer.subscription.trial_will_end" }));

        mark = h.Receiver.Count;
        await h.AdvanceAsync(TimeSpan.FromDays(3));
        var trialEnd = h.Receiver.Since(mark);
        Assert.That(trialEnd.Select(d => d.Type), Is.EqualTo(new[]
        {
            "customer.subscription.updated", "invoice.created", "invoice.finalized", "charge.succeeded", "payment_intent.succeeded",
            "invoice.paid", "invoice.payment_succeeded", "invoice_payment.paid",
        }));
        var updated = trialEnd[0].Event["data"]!;
        var paid = trialEnd.First(d => d.Type == "invoice.paid").Event["data"]!["object"]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)updated["previous_attributes"]!["status"], Is.EqualTo("trialing"));
            Assert.That((string?)updated["object"]!["status"], Is.EqualTo("active"));
            Assert.That((string?)paid["billing_reason"], Is.EqualTo("subscription_cycle"));
            Assert.That((long)paid["amount_paid"]!, Is.EqualTo(12000));
        });

        mark = h.Receiver.Count;
        await h.AdvanceAsync(TimeSpan.FromDays(366));
        var renewal = h.Receiver.Since(mark).Select(d => d.Type).ToList();
        Assert.That(renewal, Is.EqualTo(new[]
        {
            "customer.subscription.updated", "invoice.created", "invoice.finalized", "charge.succeeded", "payment_intent.succeeded",
            "invoice.paid", "invoice.payment_succeeded", "invoice_payment.paid",
        }));
        var invoices = await h.GetAsync("v1/invoices", ("subscription", subscriptionId));
        Assert.That(invoices["data"]!.AsArray().Select(i => (string?)i!["billing_reason"]), Is.EqualTo(new[] { "subscription_cycle", "subscription_cycle", "subscription_create" }));
    }

    [Test]
    public async Task Card_0341_pays_now_then_renewal_fails_retries_and_cancels()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var price = await h.CreatePriceAsync(2000);
        var (_, subscriptionId, _) = await h.SubscribeAsync((string)price["id"]!, card: "4000000000000341");
        var subscription = await h.GetAsync($"v1/subscriptions/{subscriptionId}");
        Assert.That((string?)subscription["status"], Is.EqualTo("active"));
        var mark = await h.FlushAsync();

        await h.AdvanceAsync(TimeSpan.FromDays(45));

        var delivered = h.Receiver.Since(mark);
        string[] failure = ["charge.failed", "payment_intent.payment_failed", "invoice.payment_failed"];
        Assert.That(delivered.Select(d => d.Type), Is.EqualTo(
            new[] { "customer.subscription.updated", "invoice.created", "invoice.finalized" }
                .Concat(failure).Append("customer.subscription.updated")
                .Concat(failure).Concat(failure).Concat(failure)
                .Append("customer.subscription.deleted")));
        Assert.That(delivered.All(d => WebhookReceiver.Verify("whsec_test_emulator_secret", d)), Is.True);

        var failures = delivered.Where(d => d.Type == "invoice.payment_failed").Select(d => d.Event["data"]!["object"]!).ToList();
        var firstFailure = (long)failures[0]["created"]!;
        Assert.Multiple(() =>
        {
            Assert.That(failures.Select(f => (long)f["attempt_count"]!), Is.EqualTo(new long[] { 1, 2, 3, 4 }));
            Assert.That(failures.Select(f => (long?)f["next_payment_attempt"]), Is.EqualTo(new long?[] { firstFailure + (3 * 86400), firstFailure + (5 * 86400), firstFailure + (7 * 86400), null }));
            Assert.That((string?)delivered[6].Event["data"]!["object"]!["status"], Is.EqualTo("past_due"));
            Assert.That((string?)delivered[^1].Event["data"]!["object"]!["status"], Is.EqualTo("canceled"));
            Assert.That((string?)failures[0]["status"], Is.EqualTo("open"));
        });

        var invoice = (string)failures[0]["id"]!;
        var (status, error, _) = await h.SendAsync(HttpMethod.Post, $"v1/invoices/{invoice}/pay");
        Assert.Multiple(() =>
        {
            Assert.That((int)status, Is.EqualTo(402));
            Assert.That((string?)error["error"]!["type"], Is.EqualTo("card_error"));
            Assert.That((string?)error["error"]!["code"], Is.EqualTo("card_declined"));
            Assert.That((string?)error["error"]!["decline_code"], Is.Not.Null);
            Assert.That((string?)error["error"]!["charge"], Does.StartWith("ch_"));
        });
    }

    [Test]
    public async Task Retry_success_returns_past_due_subscription_to_active()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var price = await h.CreatePriceAsync(2000);
        var (_, subscriptionId, customerId) = await h.SubscribeAsync((string)price["id"]!, card: "4000000000000341");
        await h.AdvanceAsync(TimeSpan.FromDays(32));
        Assert.That((string?)(await h.GetAsync($"v1/subscriptions/{subscriptionId}"))["status"], Is.EqualTo("past_due"));

        // The customer fixes their card through a new checkout-created payment method: simulate with the invoice pay endpoint and a good card.
        var session = await h.PostAsync("v1/checkout/sessions", ("mode", "payment"), ("customer", customerId),
            ("line_items[0][price_data][currency]", "usd"), ("line_items[0][price_data][product_data][name]", "Card check"),
            ("line_items[0][price_data][unit_amount]", "100"), ("customer_creation", "always"));
        await h.CompleteCheckoutAsync((string)session["id"]!);
        var methods = await h.GetAsync("v1/charges", ("customer", customerId));
        var goodMethod = (string)methods["data"]![0]!["payment_method"]!;
        await h.PostAsync($"v1/subscriptions/{subscriptionId}", ("default_payment_method", goodMethod));
        var mark = await h.FlushAsync();

        await h.AdvanceAsync(TimeSpan.FromDays(3));

        var types = h.Receiver.Since(mark).Select(d => d.Type).ToList();
        Assert.That(types, Is.EqualTo(new[] { "charge.succeeded", "payment_intent.succeeded", "invoice.paid", "invoice.payment_succeeded", "invoice_payment.paid", "customer.subscription.updated" }));
        Assert.That((string?)(await h.GetAsync($"v1/subscriptions/{subscriptionId}"))["status"], Is.EqualTo("active"));
    }

    [Test]
    public async Task Cancel_at_period_end_ends_the_subscription_at_period_end_without_invoicing()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var price = await h.CreatePriceAsync(2000);
        var (_, subscriptionId, _) = await h.SubscribeAsync((string)price["id"]!);
        var mark = await h.FlushAsync();

        var updated = await h.PostAsync($"v1/subscriptions/{subscriptionId}", ("cancel_at_period_end", "true"));
        var periodEnd = (long)updated["items"]!["data"]![0]!["current_period_end"]!;
        Assert.That((long?)updated["cancel_at"], Is.EqualTo(periodEnd));
        await h.AdvanceAsync(TimeSpan.FromDays(40));

        var delivered = h.Receiver.Since(mark);
        Assert.That(delivered.Select(d => d.Type), Is.EqualTo(new[] { "customer.subscription.updated", "customer.subscription.deleted" }));
        Assert.Multiple(() =>
        {
            Assert.That((bool?)delivered[0].Event["data"]!["previous_attributes"]!["cancel_at_period_end"], Is.False);
            Assert.That((string?)delivered[0].Event["request"]!["id"], Does.StartWith("req_"));
            Assert.That((long)delivered[1].Event["data"]!["object"]!["ended_at"]!, Is.EqualTo(periodEnd));
            Assert.That(delivered[1].Event["request"]!["id"], Is.Null);
        });
    }

    [Test]
    public async Task Plan_change_with_create_prorations_bills_the_difference_at_renewal()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var basic = await h.CreatePriceAsync(1000, name: "Basic");
        var pro = await h.CreatePriceAsync(3000, product: (string)basic["product"]!);
        var (_, subscriptionId, _) = await h.SubscribeAsync((string)basic["id"]!);
        var subscription = await h.GetAsync($"v1/subscriptions/{subscriptionId}");
        var itemId = (string)subscription["items"]!["data"]![0]!["id"]!;
        var start = (long)subscription["items"]!["data"]![0]!["current_period_start"]!;
        var end = (long)subscription["items"]!["data"]![0]!["current_period_end"]!;
        var half = (end - start) / 2;
        await h.AdvanceAsync(TimeSpan.FromSeconds(half));

        var changed = await h.PostAsync($"v1/subscriptions/{subscriptionId}", ("items[0][id]", itemId), ("items[0][price]", (string)pro["id"]!),
            ("proration_behavior", "create_prorations"));
        Assert.That((string?)changed["items"]!["data"]![0]!["price"]!["id"], Is.EqualTo((string)pro["id"]!));
        var pending = await h.GetAsync("v1/invoiceitems", ("pending", "true"));
        var amounts = pending["data"]!.AsArray().Select(i => (long)i!["amount"]!).OrderBy(a => a).ToList();
        Assert.That(amounts, Is.EqualTo(new long[] { -500, 1500 }));

        await h.AdvanceAsync(TimeSpan.FromSeconds(end - h.Now + 60));
        var invoices = await h.GetAsync("v1/invoices", ("subscription", subscriptionId), ("limit", "1"));
        var renewal = invoices["data"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)renewal["billing_reason"], Is.EqualTo("subscription_cycle"));
            Assert.That((long)renewal["amount_paid"]!, Is.EqualTo(3000 + 1500 - 500));
            Assert.That(renewal["lines"]!["data"]!.AsArray(), Has.Count.EqualTo(3));
        });
    }

    [Test]
    public async Task Plan_change_with_always_invoice_charges_the_proration_now()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var basic = await h.CreatePriceAsync(1000, name: "Basic");
        var pro = await h.CreatePriceAsync(3000, product: (string)basic["product"]!);
        var (_, subscriptionId, _) = await h.SubscribeAsync((string)basic["id"]!);
        var subscription = await h.GetAsync($"v1/subscriptions/{subscriptionId}");
        var itemId = (string)subscription["items"]!["data"]![0]!["id"]!;
        var mark = await h.FlushAsync();

        var changed = await h.PostAsync($"v1/subscriptions/{subscriptionId}?expand[0]=latest_invoice", ("items[0][id]", itemId),
            ("items[0][price]", (string)pro["id"]!), ("proration_behavior", "always_invoice"));
        await h.FlushAsync();

        var invoice = changed["latest_invoice"]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)invoice["billing_reason"], Is.EqualTo("subscription_update"));
            Assert.That((string?)invoice["status"], Is.EqualTo("paid"));
            Assert.That((long)invoice["amount_paid"]!, Is.EqualTo(2000));
            Assert.That(h.Receiver.Since(mark).Select(d => d.Type), Is.EqualTo(new[]
            {
                "customer.subscription.updated", "invoice.created", "invoice.finalized", "charge.succeeded", "payment_intent.succeeded",
                "invoice.paid", "invoice.payment_succeeded", "invoice_payment.paid",
            }));
        });
        var previous = h.Receiver.Since(mark)[0].Event["data"]!["previous_attributes"]!;
        Assert.That((string?)previous["items"]!["data"]![0]!["price"]!["id"], Is.EqualTo((string)basic["id"]!));
    }

    [Test]
    public async Task Add_on_item_create_and_delete()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var basic = await h.CreatePriceAsync(1000, name: "Basic");
        var addon = await h.CreatePriceAsync(500, name: "Seats");
        var (_, subscriptionId, _) = await h.SubscribeAsync((string)basic["id"]!);

        var item = await h.PostAsync("v1/subscription_items", ("subscription", subscriptionId), ("price", (string)addon["id"]!), ("quantity", "2"),
            ("proration_behavior", "none"));
        var subscription = await h.GetAsync($"v1/subscriptions/{subscriptionId}");
        Assert.That(subscription["items"]!["data"]!.AsArray(), Has.Count.EqualTo(2));

        var (_, deleted, _) = await h.SendAsync(HttpMethod.Delete, $"v1/subscription_items/{(string)item["id"]!}", [("proration_behavior", "none")]);
        subscription = await h.GetAsync($"v1/subscriptions/{subscriptionId}");
        Assert.Multiple(() =>
        {
            Assert.That((bool?)deleted["deleted"], Is.True);
            Assert.That((long)item["quantity"]!, Is.EqualTo(2));
            Assert.That(subscription["items"]!["data"]!.AsArray(), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Future_trial_end_on_an_active_subscription_defers_the_next_charge()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var price = await h.CreatePriceAsync(2000);
        var (_, subscriptionId, _) = await h.SubscribeAsync((string)price["id"]!);
        var deferUntil = h.Now + (60 * 86400);
        var mark = await h.FlushAsync();

        var updated = await h.PostAsync($"v1/subscriptions/{subscriptionId}", ("trial_end", deferUntil.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("proration_behavior", "none"));
        Assert.Multiple(() =>
        {
            Assert.That((string?)updated["status"], Is.EqualTo("trialing"));
            Assert.That((long)updated["trial_end"]!, Is.EqualTo(deferUntil));
        });

        await h.AdvanceAsync(TimeSpan.FromDays(40));
        var during = h.Receiver.Since(mark).Select(d => d.Type).ToList();
        Assert.That(during, Does.Not.Contain("invoice.created"));
        Assert.That(during, Does.Not.Contain("charge.succeeded"));

        await h.AdvanceAsync(TimeSpan.FromDays(21));
        var after = h.Receiver.Since(mark).Select(d => d.Type).ToList();
        Assert.That(after, Is.EqualTo(new[]
        {
            "customer.subscription.updated", "customer.subscription.trial_will_end", "customer.subscription.updated", "invoice.created",
            "invoice.finalized", "charge.succeeded", "payment_intent.succeeded", "invoice.paid", "invoice.payment_succeeded", "invoice_payment.paid",
        }));
        var invoices = await h.GetAsync("v1/invoices", ("subscription", subscriptionId), ("limit", "1"));
        Assert.Multiple(() =>
        {
            Assert.That((string?)invoices["data"]![0]!["billing_reason"], Is.EqualTo("subscription_cycle"));
            Assert.That((long)invoices["data"]![0]!["created"]!, Is.EqualTo(deferUntil));
        });
    }

    [Test]
    public async Task Immediate_cancel_via_delete()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var price = await h.CreatePriceAsync(2000);
        var (_, subscriptionId, _) = await h.SubscribeAsync((string)price["id"]!);
        var mark = await h.FlushAsync();

        var (status, canceled, _) = await h.SendAsync(HttpMethod.Delete, $"v1/subscriptions/{subscriptionId}");
        await h.FlushAsync();

        Assert.Multiple(() =>
        {
            Assert.That((int)status, Is.EqualTo(200));
            Assert.That((string?)canceled["status"], Is.EqualTo("canceled"));
            Assert.That((long?)canceled["ended_at"], Is.EqualTo(h.Now));
            Assert.That(h.Receiver.Since(mark).Select(d => d.Type), Is.EqualTo(new[] { "customer.subscription.deleted" }));
        });
        var list = await h.GetAsync("v1/subscriptions", ("status", "canceled"));
        Assert.That(list["data"]!.AsArray().Select(s => (string?)s!["id"]), Does.Contain(subscriptionId));
    }
}
