using System.Net;
using System.Text.Json.Nodes;

namespace Monetization.Stripe.Tests.Emulator;

[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class CheckoutScenarioTests
{
    [Test]
    public async Task Subscription_checkout_with_4242_delivers_events_in_order_and_signed()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var price = await h.CreatePriceAsync(2000);
        var mark = await h.FlushAsync();

        var (session, subscriptionId, customerId) = await h.SubscribeAsync((string)price["id"]!);

        var delivered = h.Receiver.Since(mark);
        Assert.That(delivered.Select(d => d.Type), Is.EqualTo(new[]
        {
            "customer.created", "customer.subscription.created", "invoice.created", "invoice.finalized", "charge.succeeded",
            "payment_intent.succeeded", "invoice.paid", "invoice.payment_succeeded", "invoice_payment.paid", "checkout.session.completed", "customer.subscription.updated",
        }));
        Assert.Multiple(() =>
        {
            Assert.That(delivered.All(d => WebhookReceiver.Verify("whsec_test_emulator_secret", d)), Is.True);
            Assert.That(delivered.All(d => d.ContentType == "application/json; charset=utf-8"), Is.True);
            Assert.That(delivered.All(d => (string?)d.Event["api_version"] == "2026-10-28.endive"), Is.True);
            Assert.That((string?)session["status"], Is.EqualTo("complete"));
            Assert.That((string?)session["payment_status"], Is.EqualTo("paid"));
            Assert.That((string?)session["client_reference_id"], Is.EqualTo("user_42"));
            Assert.That(subscriptionId, Does.StartWith("sub_"));
            Assert.That(customerId, Does.StartWith("cus_"));
        });

        var invoice = delivered.First(d => d.Type == "invoice.paid").Event["data"]!["object"]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)invoice["billing_reason"], Is.EqualTo("subscription_create"));
            Assert.That((string?)invoice["parent"]!["subscription_details"]!["subscription"], Is.EqualTo(subscriptionId));
            Assert.That((long)invoice["amount_paid"]!, Is.EqualTo(2000));
        });

        var updated = delivered.Last().Event["data"]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)updated["object"]!["status"], Is.EqualTo("active"));
            Assert.That((string?)updated["previous_attributes"]!["status"], Is.EqualTo("incomplete"));
        });

        var subscription = await h.GetAsync($"v1/subscriptions/{subscriptionId}", ("expand[0]", "latest_invoice"), ("expand[1]", "customer"));
        Assert.Multiple(() =>
        {
            Assert.That((string?)subscription["status"], Is.EqualTo("active"));
            Assert.That((string?)subscription["latest_invoice"]!["object"], Is.EqualTo("invoice"));
            Assert.That((string?)subscription["customer"]!["email"], Is.EqualTo("jenny@example.com"));
            Assert.That((string?)subscription["metadata"]!["plan"], Is.EqualTo("pro"));
            Assert.That((long)subscription["items"]!["data"]![0]!["current_period_end"]!, Is.GreaterThan(h.Now));
        });
    }

    [Test]
    public async Task Trial_checkout_creates_a_zero_invoice_and_no_charge()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var price = await h.CreatePriceAsync(2000);
        var mark = await h.FlushAsync();

        var (session, subscriptionId, _) = await h.SubscribeAsync((string)price["id"]!, trialDays: 14);

        var types = h.Receiver.Since(mark).Select(d => d.Type).ToList();
        Assert.That(types, Is.EqualTo(new[]
        {
            "customer.created", "customer.subscription.created", "invoice.created", "invoice.finalized", "invoice.paid",
            "invoice.payment_succeeded", "checkout.session.completed",
        }));
        var subscription = await h.GetAsync($"v1/subscriptions/{subscriptionId}");
        Assert.Multiple(() =>
        {
            Assert.That((string?)session["payment_status"], Is.EqualTo("no_payment_required"));
            Assert.That((string?)subscription["status"], Is.EqualTo("trialing"));
            Assert.That((long)subscription["trial_end"]!, Is.EqualTo(h.Now + (14 * 86400)));
        });
    }

    [Test]
    public async Task Card_9995_is_declined_and_the_session_can_be_retried()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var price = await h.CreatePriceAsync(2000);
        var session = await h.PostAsync("v1/checkout/sessions", ("mode", "subscription"), ("line_items[0][price]", (string)price["id"]!),
            ("success_url", "https://example.com/ok"), ("customer_email", "a@example.com"));
        var id = (string)session["id"]!;

        var (status, error) = await h.TestAsync(HttpMethod.Post, $"_test/checkout_sessions/{id}/complete", new { card = "4000000000009995" });

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.PaymentRequired));
            Assert.That((string?)error["error"]!["type"], Is.EqualTo("card_error"));
            Assert.That((string?)error["error"]!["decline_code"], Is.EqualTo("insufficient_funds"));
        });
        var reloaded = await h.GetAsync($"v1/checkout/sessions/{id}");
        Assert.That((string?)reloaded["status"], Is.EqualTo("open"));

        var completed = await h.CompleteCheckoutAsync(id);
        Assert.That((string?)completed["status"], Is.EqualTo("complete"));
    }

    [Test]
    public async Task Payment_checkout_then_partial_and_full_refunds_update_the_charge()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var session = await h.PostAsync("v1/checkout/sessions", ("mode", "payment"), ("customer_email", "buyer@example.com"),
            ("client_reference_id", "order_789"), ("line_items[0][price_data][currency]", "usd"),
            ("line_items[0][price_data][product_data][name]", "Course"), ("line_items[0][price_data][unit_amount]", "2198"),
            ("line_items[0][quantity]", "1"), ("payment_intent_data[metadata][order_id]", "order_789"), ("success_url", "https://example.com/ok"));
        var mark = await h.FlushAsync();
        var completed = await h.CompleteCheckoutAsync((string)session["id"]!);
        Assert.That(h.Receiver.Since(mark).Select(d => d.Type), Is.EqualTo(new[] { "charge.succeeded", "payment_intent.succeeded", "checkout.session.completed" }));

        var intentId = (string)completed["payment_intent"]!;
        var intent = await h.GetAsync($"v1/payment_intents/{intentId}");
        Assert.That((string?)intent["metadata"]!["order_id"], Is.EqualTo("order_789"));

        var partial = await h.PostAsync("v1/refunds", ("payment_intent", intentId), ("amount", "1000"));
        var charge = await h.GetAsync($"v1/charges/{(string)partial["charge"]!}");
        Assert.Multiple(() =>
        {
            Assert.That((long)charge["amount_refunded"]!, Is.EqualTo(1000));
            Assert.That((bool)charge["refunded"]!, Is.False);
        });

        await h.PostAsync("v1/refunds", ("charge", (string)charge["id"]!));
        charge = await h.GetAsync($"v1/charges/{(string)charge["id"]!}");
        var (tooMuch, error, _) = await h.SendAsync(HttpMethod.Post, "v1/refunds", [("charge", (string)charge["id"]!)]);
        await h.FlushAsync();
        var refundedEvents = h.Receiver.All().Where(d => d.Type == "charge.refunded").ToList();
        Assert.Multiple(() =>
        {
            Assert.That((long)charge["amount_refunded"]!, Is.EqualTo(2198));
            Assert.That((bool)charge["refunded"]!, Is.True);
            Assert.That(charge["refunds"]!["data"]!.AsArray(), Has.Count.EqualTo(2));
            Assert.That(refundedEvents, Has.Count.EqualTo(2));
            Assert.That((long?)refundedEvents[0].Event["data"]!["previous_attributes"]!["amount_refunded"], Is.EqualTo(0));
            Assert.That(tooMuch, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((string?)error["error"]!["code"], Is.EqualTo("charge_already_refunded"));
        });
    }
}
