using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Stripe;
using Monetization.Subscriptions.Data;
using Monetization.TestKit;

namespace Monetization.Subscriptions.Tests.Features;

/// <summary>The webhook endpoint with Stripe's sample events (../shared/stripe/samples/events), signed with the configured secret.</summary>
public sealed class StripeWebhookTests : SubscriptionsTestBase
{
    private const string SecondSecret = "whsec_rotated_second_secret_0001";

    protected override void Configure(MonetizationFactory factory) =>
        factory.WithSetting("Stripe:WebhookSecrets:0", "whsec_test_primary_secret_0001").WithSetting("Stripe:WebhookSecrets:1", SecondSecret);

    [Test]
    public async Task Paid_invoice_delivered_as_paid_and_payment_succeeded_and_redelivered_is_one_transition()
    {
        await PostOk(SharedStripeSamples.Event("checkout.session.completed.subscription_paid"), "processed");
        var paid = SharedStripeSamples.Event("invoice.paid");
        await PostOk(paid, "processed");
        await PostOk(SharedStripeSamples.Event("invoice.payment_succeeded"), "processed");
        await PostOk(paid, "duplicate");

        var first = await FirstPaidOf("user_42");
        Assert.That(first, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(first[0].InvoiceId, Is.EqualTo("in_1Pgc6tB7WZ01zgkWu9fdqL6I"));
            Assert.That(first[0].Plan, Is.EqualTo("pro"), "an unknown price falls back to the subscription's metadata plan");
            Assert.That(first[0].AmountPaid, Is.EqualTo(2000));
            Assert.That(first[0].StripeSubscriptionId, Is.EqualTo("sub_1Pgc6rB7WZ01zgkWNy0Cn5nw"));
        });
        var invoices = await EventsFor<InvoicePaid>("user_42", e => e.UserId);
        Assert.That(invoices, Has.Count.EqualTo(1));
        var line = invoices[0].Lines.Single();
        Assert.Multiple(() =>
        {
            Assert.That(line.PriceId, Is.EqualTo("price_1PgafmB7WZ01zgkW6dKueIc5"));
            Assert.That(line.SubscriptionItemId, Is.EqualTo("si_QXhVnC2h0Jczwc"));
            Assert.That(line.Amount, Is.EqualTo(2000));
            Assert.That(line.PeriodStart, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1786960893)));
        });
        var linked = await EventsFor<StripeCustomerLinked>("user_42", e => e.UserId);
        Assert.That(linked.Single().StripeCustomerId, Is.EqualTo("cus_QXg1o8vcGmoR32"));
        Assert.That(await Factory.QueryAsync<SubscriptionsDbContext, int>(db => db.StripeEvents.CountAsync(e => e.Id.StartsWith("evt_1Pgc76B7WZ01zgkW"))), Is.EqualTo(3), "the emulator's own events aside");
    }

    [Test]
    public async Task Older_subscription_updates_do_not_overwrite_newer_state()
    {
        await PostOk(SharedStripeSamples.Event("checkout.session.completed.subscription_paid"), "processed");
        await PostOk(SharedStripeSamples.Event("customer.subscription.updated.plan_change"), "processed");
        await PostOk(SharedStripeSamples.Event("customer.subscription.created"), "processed");
        var sub = await GetSubscriptionAsync("user_42");
        Assert.Multiple(() =>
        {
            Assert.That(sub["status"]!.GetValue<string>(), Is.EqualTo("active"), "the older 'trialing' creation was ignored");
            Assert.That(sub["current_period_end"]!.GetValue<DateTimeOffset>(), Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1789639293)));
            Assert.That(sub["subscribed_plan"]!.GetValue<string>(), Is.EqualTo("pro"));
        });

        await PostOk(SharedStripeSamples.Event("customer.subscription.deleted"), "processed");
        var deleted = await GetSubscriptionAsync("user_42");
        Assert.Multiple(() =>
        {
            Assert.That(deleted["status"]!.GetValue<string>(), Is.EqualTo("canceled"));
            Assert.That(deleted["access"]!["tier"]!.GetValue<string>(), Is.EqualTo("free"));
            Assert.That(deleted["plan"]!.GetValue<string>(), Is.EqualTo("free"));
            Assert.That(deleted["stripe_customer_id"]!.GetValue<string>(), Is.EqualTo("cus_QXg1o8vcGmoR32"), "deletion keeps the customer for a re-subscription");
        });
        Assert.That((await ChangesOf("user_42"))[^1].AccessTier, Is.EqualTo("free"));
    }

    [Test]
    public async Task A_paid_first_invoice_makes_an_incomplete_subscription_active_before_its_update_arrives()
    {
        await PostOk(SharedStripeSamples.Event("checkout.session.completed.subscription_paid"), "processed");
        var created = JsonNode.Parse(SharedStripeSamples.Event("customer.subscription.created"))!;
        var subscription = created["data"]!["object"]!;
        subscription["status"] = "incomplete";
        subscription["trial_start"] = null;
        subscription["trial_end"] = null;
        await PostOk(created.ToJsonString(), "processed");
        Assert.That((await GetSubscriptionAsync("user_42"))["status"]!.GetValue<string>(), Is.EqualTo("incomplete"));

        // Stripe's customer.subscription.updated (active) may come after invoice.paid: the payment is enough.
        await PostOk(SharedStripeSamples.Event("invoice.paid"), "processed");
        var sub = await GetSubscriptionAsync("user_42");
        Assert.That((sub["status"]!.GetValue<string>(), sub["access"]!["tier"]!.GetValue<string>()), Is.EqualTo(("active", "paid")), sub.ToJsonString());
        Assert.That(await FirstPaidOf("user_42"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Payment_failure_starts_one_grace_period()
    {
        await PostOk(SharedStripeSamples.Event("checkout.session.completed.subscription_paid"), "processed");
        await PostOk(SharedStripeSamples.Event("customer.subscription.updated.plan_change"), "processed");
        var failed = SharedStripeSamples.Event("invoice.payment_failed");
        await PostOk(failed, "processed");
        var sub = await GetSubscriptionAsync("user_42");
        Assert.That(sub["status"]!.GetValue<string>(), Is.EqualTo("past_due"));
        Assert.That(sub["access"]!["reason"]!.GetValue<string>(), Is.EqualTo("grace"));
        var grace = sub["grace_period_end"]!.GetValue<DateTimeOffset>();
        Assert.That(grace, Is.EqualTo(Factory.Now.AddDays(3)).Within(TimeSpan.FromSeconds(5)));

        Factory.Clock.Advance(TimeSpan.FromDays(1));
        await PostOk(failed.Replace("evt_1Pgc76B7WZ01zgkWBD8B6A97", "evt_1Pgc76B7WZ01zgkWretry002", StringComparison.Ordinal).Replace("\"attempt_count\": 1", "\"attempt_count\": 2", StringComparison.Ordinal), "processed");
        Assert.That((await GetSubscriptionAsync("user_42"))["grace_period_end"]!.GetValue<DateTimeOffset>(), Is.EqualTo(grace), "a second failure does not extend it");
        Assert.That(await EventsFor<InvoicePaymentFailed>("user_42", e => e.UserId), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task An_event_for_an_unknown_customer_fails_is_listed_and_is_retried_once_the_customer_is_linked()
    {
        await PostOk(SharedStripeSamples.Event("invoice.paid"), "failed");
        var failed = await Admin.GetJsonAsync("/v1/stripe_events?status=failed");
        Assert.That(failed["data"]![0]!["last_error"]!.GetValue<string>(), Does.Contain("cus_QXg1o8vcGmoR32"));
        Assert.That(failed["data"]![0]!["next_attempt_at"], Is.Not.Null);

        await PostOk(SharedStripeSamples.Event("checkout.session.completed.subscription_paid"), "processed");
        Factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            Assert.That(await scope.ServiceProvider.GetRequiredService<Jobs.StripeEventRetryJob>().RunOnceAsync(CancellationToken.None), Is.EqualTo(1));
        }

        Assert.That((await Admin.GetJsonAsync("/v1/stripe_events?status=failed"))["data"]!.AsArray(), Is.Empty);
        Assert.That(await FirstPaidOf("user_42"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Replay_processes_a_failed_event_again_and_refuses_a_processed_one()
    {
        await PostOk(SharedStripeSamples.Event("invoice.paid"), "failed");
        await PostOk(SharedStripeSamples.Event("checkout.session.completed.subscription_paid"), "processed");
        using (var replay = await Admin.PostAsync("/v1/stripe_events/evt_1Pgc76B7WZ01zgkW063034DD/replay", null))
        {
            var body = await replay.ReadJsonAsync();
            Assert.That(body["status"]!.GetValue<string>(), Is.EqualTo("processed"));
            Assert.That(body["attempts"]!.GetValue<int>(), Is.EqualTo(2));
        }

        using (var again = await Admin.PostAsync("/v1/stripe_events/evt_1Pgc76B7WZ01zgkW063034DD/replay", null))
        {
            await again.ShouldBeProblemAsync(409);
        }

        using (var missing = await Admin.PostAsync("/v1/stripe_events/evt_nope/replay", null))
        {
            await missing.ShouldBeProblemAsync(404);
        }

        using (var malformed = await Admin.PostAsync("/v1/stripe_events/not-an-event/replay", null))
        {
            await malformed.ShouldBeProblemAsync(422, field: "event_id");
        }

        using var badStatus = await Admin.GetAsync("/v1/stripe_events?status=weird");
        await badStatus.ShouldBeProblemAsync(422, field: "status");
        Assert.That(await FirstPaidOf("user_42"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Signatures_are_checked_with_every_configured_secret_and_within_the_tolerance()
    {
        var body = SharedStripeSamples.Event("account.updated");
        var tampered = await Factory.PostStripeWebhookAsync(body.Replace("\"charges_enabled\": true", "\"charges_enabled\": false", StringComparison.Ordinal), Factory.SignatureFor(body));
        await tampered.ShouldBeProblemAsync(400, type: "invalid_signature");
        var stale = await Factory.PostStripeWebhookAsync(body, Factory.SignatureFor(body, at: Factory.Now.AddMinutes(-6)));
        await stale.ShouldBeProblemAsync(400, type: "invalid_signature");
        var wrong = await Factory.PostStripeWebhookAsync(body, Factory.SignatureFor(body, secret: "whsec_someone_else"));
        await wrong.ShouldBeProblemAsync(400, type: "invalid_signature");
        using (var anonymous = Factory.CreateAnonymousClient())
        using (var unsigned = await anonymous.PostAsync("/v1/webhooks/stripe", new StringContent(body, Encoding.UTF8, "application/json")))
        {
            await unsigned.ShouldBeProblemAsync(400, type: "invalid_signature");
        }

        Assert.That(await Factory.QueryAsync<SubscriptionsDbContext, int>(db => db.StripeEvents.CountAsync(e => e.Type == "account.updated")), Is.Zero, "rejected deliveries store nothing");
        var rotated = await Factory.PostStripeWebhookAsync(body, Factory.SignatureFor(body, secret: SecondSecret));
        Assert.That((await rotated.ReadJsonAsync())["status"]!.GetValue<string>(), Is.EqualTo("processed"));
        var account = (await Factory.OutboxEventsAsync<ConnectedAccountUpdated>()).Single();
        Assert.That(account.AccountId, Is.EqualTo("acct_1PgafTB7WZ01zgkW"));
        Assert.That(account.ChargesEnabled && account.PayoutsEnabled && account.DetailsSubmitted, Is.True);
    }

    [Test]
    public async Task Oversized_malformed_and_unknown_events_are_answered_properly()
    {
        var huge = "{\"id\":\"evt_big\",\"pad\":\"" + new string('x', 1024 * 1024) + "\"}";
        var tooLarge = await Factory.PostStripeWebhookAsync(huge);
        Assert.That((int)tooLarge.StatusCode, Is.EqualTo(413));
        var malformed = await Factory.PostStripeWebhookAsync("{\"id\":\"evt_1\",");
        await malformed.ShouldBeProblemAsync(400, type: "malformed_json");
        var notAnEvent = await Factory.PostStripeWebhookAsync("{\"hello\":\"world\"}");
        await notAnEvent.ShouldBeProblemAsync(400, type: "malformed_json");
        await PostOk("{\"id\":\"evt_unknown_1\",\"object\":\"event\",\"type\":\"radar.early_fraud_warning.created\",\"created\":1786000000,\"data\":{\"object\":{\"id\":\"issfr_1\",\"object\":\"radar.early_fraud_warning\"}}}", "ignored");
        var stored = await Admin.GetJsonAsync("/v1/stripe_events?status=ignored&type=radar.early_fraud_warning.created");
        Assert.That(stored["data"]![0]!["type"]!.GetValue<string>(), Is.EqualTo("radar.early_fraud_warning.created"));
    }

    [Test]
    public async Task A_delivery_without_a_content_length_is_read_whole_and_data_objects_own_id_is_kept()
    {
        // The object's id comes after a nested object with an id of its own, and the body is far past one read's 8 KiB.
        var body = "{\"id\":\"evt_chunked_1\",\"object\":\"event\",\"type\":\"radar.early_fraud_warning.created\",\"created\":1786000000,"
            + "\"data\":{\"object\":{\"object\":\"radar.early_fraud_warning\",\"charge\":{\"id\":\"ch_not_this\"},\"id\":\"issfr_chunked\","
            + "\"note\":\"Zoë " + new string('x', 20_000) + "\"}}}";
        using var answer = await PostUnsizedAsync(body);
        Assert.That((await answer.ReadJsonAsync())["status"]!.GetValue<string>(), Is.EqualTo("ignored"));
        var stored = await Admin.GetJsonAsync("/v1/stripe_events/evt_chunked_1");
        Assert.That(stored["object_id"]!.GetValue<string>(), Is.EqualTo("issfr_chunked"), "the top-level id of data.object, not a nested one");
        Assert.That(stored["payload"]!.GetValue<string>(), Is.EqualTo(body), "stored exactly as received");

        using var tooLarge = await PostUnsizedAsync("{\"id\":\"evt_big\",\"pad\":\"" + new string('x', 1024 * 1024) + "\"}");
        Assert.That((int)tooLarge.StatusCode, Is.EqualTo(413));
        var notAnObject = await Factory.PostStripeWebhookAsync("{\"id\":\"evt_str\",\"type\":\"invoice.paid\",\"created\":1786000000,\"data\":{\"object\":\"in_1\"}}");
        await notAnObject.ShouldBeProblemAsync(400, type: "malformed_json");
        Assert.That(await Factory.QueryAsync<SubscriptionsDbContext, int>(db => db.StripeEvents.CountAsync(e => e.Id == "evt_big" || e.Id == "evt_str")), Is.Zero);
    }

    /// <summary>Posts a signed body whose length the client does not announce (chunked, as a proxy may forward it).</summary>
    private async Task<HttpResponseMessage> PostUnsizedAsync(string body)
    {
        using var client = Factory.CreateAnonymousClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/webhooks/stripe") { Content = new UnsizedContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Stripe-Signature", Factory.SignatureFor(body));
        return await client.SendAsync(request);
    }

    private sealed class UnsizedContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Test]
    public async Task Payment_mode_checkout_and_refunds_are_translated_once()
    {
        await PostOk(SharedStripeSamples.Event("checkout.session.completed.payment"), "processed");
        var completed = (await Factory.OutboxEventsAsync<CheckoutCompleted>()).Single();
        Assert.Multiple(() =>
        {
            Assert.That(completed.AmountTotal, Is.EqualTo(2198));
            Assert.That(completed.PaymentIntentId, Is.EqualTo("pi_1PgafyB7WZ01zgkWSjxsAJo3"));
            Assert.That(completed.UserId, Is.EqualTo("order_789"));
        });
        var refund = SharedStripeSamples.Event("charge.refunded");
        await PostOk(refund, "processed");
        await PostOk(refund.Replace("evt_1Pgc76B7WZ01zgkW5C5DA163", "evt_1Pgc76B7WZ01zgkWrepeat01", StringComparison.Ordinal), "processed");
        var refunded = (await Factory.OutboxEventsAsync<PaymentRefunded>()).Single();
        Assert.That(refunded.RefundedNow, Is.EqualTo(2198));
        Assert.That(refunded.FullyRefunded, Is.True);
    }

    [Test]
    public async Task A_tie_between_two_updates_is_settled_by_refetching_the_subscription()
    {
        await SubscribeAsync("u_tie");
        var (subId, asOf) = await Factory.QueryAsync<SubscriptionsDbContext, (string, DateTimeOffset)>(async db =>
        {
            var a = await db.Accounts.SingleAsync(x => x.UserId == "u_tie");
            return (a.StripeSubscriptionId!, a.StateAsOf!.Value);
        });
        using var stripeHttp = Factory.CreateAnonymousClient();
        stripeHttp.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sk_test_x");
        var current = await stripeHttp.GetJsonAsync($"/_stripe/v1/subscriptions/{subId}");
        current["status"] = "past_due";
        var evt = new JsonObject
        {
            ["id"] = "evt_tie_0001",
            ["object"] = "event",
            ["type"] = "customer.subscription.updated",
            ["created"] = asOf.ToUnixTimeSeconds(),
            ["data"] = new JsonObject { ["object"] = current.DeepClone() },
        };
        await PostOk(evt.ToJsonString(), "processed");
        Assert.That((await GetSubscriptionAsync("u_tie"))["status"]!.GetValue<string>(), Is.EqualTo("active"), "Stripe's current state wins the tie");
    }

    private async Task PostOk(string body, string expectedStatus)
    {
        using var response = await Factory.PostStripeWebhookAsync(body);
        var json = await response.ReadJsonAsync();
        Assert.That(json["status"]!.GetValue<string>(), Is.EqualTo(expectedStatus), body[..Math.Min(body.Length, 120)]);
    }
}
