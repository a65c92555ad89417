using System.Text.Json;
using Monetization.Stripe.Internal;

namespace Monetization.Stripe.Tests.Client;

/// <summary>Every file in <c>samples/objects</c> and <c>samples/events</c> parses with its model; key fields are checked.</summary>
[TestFixture]
public sealed class SampleDeserializationTests
{
    private static readonly Dictionary<string, Type> ObjectFiles = new()
    {
        ["account.json"] = typeof(Account),
        ["account_link.json"] = typeof(AccountLink),
        ["billing.meter_event.json"] = typeof(BillingMeterEvent),
        ["billing_portal.session.json"] = typeof(BillingPortalSession),
        ["charge.json"] = typeof(Charge),
        ["checkout.session.json"] = typeof(CheckoutSession),
        ["customer.json"] = typeof(Customer),
        ["deleted_customer.json"] = typeof(Customer),
        ["event.json"] = typeof(StripeEvent),
        ["invoice.json"] = typeof(Invoice),
        ["invoiceitem.json"] = typeof(InvoiceItem),
        ["line_item.json"] = typeof(InvoiceLineItem),
        ["list_of_events.json"] = typeof(StripeList<StripeEvent>),
        ["payment_intent.json"] = typeof(PaymentIntent),
        ["plan.json"] = typeof(Plan),
        ["price.json"] = typeof(Price),
        ["product.json"] = typeof(Product),
        ["refund.json"] = typeof(Refund),
        ["subscription.json"] = typeof(Subscription),
        ["subscription_item.json"] = typeof(SubscriptionItem),
        ["transfer.json"] = typeof(Transfer),
        ["transfer_reversal.json"] = typeof(TransferReversal),
    };

    private static readonly Dictionary<string, Type> EventObjectTypes = new()
    {
        ["account"] = typeof(Account),
        ["charge"] = typeof(Charge),
        ["checkout.session"] = typeof(CheckoutSession),
        ["invoice"] = typeof(Invoice),
        ["payment_intent"] = typeof(PaymentIntent),
        ["subscription"] = typeof(Subscription),
        ["plan"] = typeof(Plan),
    };

    private static string Dir(string sub) => SharedStripeData.PathTo("samples", sub);

    private static T Read<T>(string sub, string file) => StripeJson.Deserialize<T>(File.ReadAllBytes(Path.Combine(Dir(sub), file)));

    private static StripeEvent Event(string file) => Read<StripeEvent>("events", file);

    [Test]
    public void EveryObjectFileParsesWithItsModel()
    {
        var files = Directory.GetFiles(Dir("objects"), "*.json").Select(Path.GetFileName).ToList();
        Assert.That(files, Is.EquivalentTo(ObjectFiles.Keys), "each sample object has a model mapping");
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(Path.Combine(Dir("objects"), file!));
            var parsed = JsonSerializer.Deserialize(bytes, ObjectFiles[file!], StripeJson.Options);
            Assert.That(parsed, Is.Not.Null, file);
            using var json = JsonDocument.Parse(bytes);
            if (parsed is IStripeEntity entity && json.RootElement.TryGetProperty("id", out var id))
            {
                Assert.That(entity.Id, Is.EqualTo(id.GetString()), file);
            }
        }
    }

    [Test]
    public void EveryEventFileParsesAndItsObjectParsesWithTheMatchingModel()
    {
        var files = Directory.GetFiles(Dir("events"), "*.json");
        Assert.That(files, Has.Length.EqualTo(15));
        foreach (var path in files)
        {
            var evt = StripeJson.Deserialize<StripeEvent>(File.ReadAllBytes(path));
            Assert.That(evt.Id, Does.StartWith("evt_"), path);
            Assert.That(evt.ApiVersion, Is.EqualTo("2026-07-29.dahlia"), path);
            Assert.That(evt.Created.Year, Is.EqualTo(2026), path);
            Assert.That(evt.Created.Offset, Is.EqualTo(TimeSpan.Zero), path);
            var type = EventObjectTypes[evt.Data.ObjectType!];
            var obj = JsonSerializer.Deserialize(evt.Data.Object, type, StripeJson.Options);
            Assert.That(((IStripeEntity)obj!).Id, Is.EqualTo(evt.Data.Object.GetProperty("id").GetString()), path);
        }
    }

    [Test]
    public void SubscriptionCreatedInTrial()
    {
        var evt = Event("customer.subscription.created.json");
        var sub = evt.Data.GetObject<Subscription>();
        var item = sub.Items.Data.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(evt.Type, Is.EqualTo("customer.subscription.created"));
            Assert.That(evt.Data.PreviousAttributes, Is.Null);
            Assert.That(sub.Id, Is.EqualTo("sub_1Pgc6rB7WZ01zgkWNy0Cn5nw"));
            Assert.That(sub.Status, Is.EqualTo("trialing"));
            Assert.That(sub.Customer!.Id, Is.EqualTo("cus_QXg1o8vcGmoR32"));
            Assert.That(sub.Customer.IsExpanded, Is.False);
            Assert.That(sub.LatestInvoice!.Id, Is.EqualTo("in_1Pgc6tB7WZ01zgkWtrial0"));
            Assert.That(sub.Metadata["plan"], Is.EqualTo("pro"));
            Assert.That(sub.DefaultPaymentMethod, Is.EqualTo("pm_1Pgc6qB7WZ01zgkWcard4242"));
            Assert.That(sub.TrialStart, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1785751293)));
            Assert.That(sub.TrialEnd, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1786960893)));
            Assert.That(item.CurrentPeriodStart, Is.EqualTo(sub.TrialStart));
            Assert.That(item.CurrentPeriodEnd, Is.EqualTo(sub.TrialEnd));
            Assert.That(item.Price!.Id, Is.EqualTo("price_1PgafmB7WZ01zgkW6dKueIc5"));
            Assert.That(item.Price.UnitAmount, Is.EqualTo(2000));
            Assert.That(item.Price.Recurring!.Interval, Is.EqualTo("month"));
            Assert.That(sub.CancelAtPeriodEnd, Is.False);
            Assert.That(sub.EndedAt, Is.Null);
        }
    }

    [Test]
    public void SubscriptionUpdatedEventsCarryPreviousAttributes()
    {
        var cancel = Event("customer.subscription.updated.cancel_at_period_end.json");
        var sub = cancel.Data.GetObject<Subscription>();
        Assert.That(sub.CancelAtPeriodEnd, Is.True);
        Assert.That(sub.CancelAt, Is.EqualTo(sub.Items.Data[0].CurrentPeriodEnd));
        Assert.That(cancel.Request!.Id, Does.StartWith("req_"));
        Assert.That(cancel.Request.IdempotencyKey, Is.Not.Null);
        Assert.That(cancel.Data.PreviousAttributes!.Value.GetProperty("cancel_at_period_end").GetBoolean(), Is.False);

        var plan = Event("customer.subscription.updated.plan_change.json").Data;
        Assert.That(plan.GetObject<Subscription>().Items.Data[0].Price!.Id, Is.EqualTo("price_1PgbPro0000000000000000"));
        Assert.That(plan.PreviousAttributes!.Value.TryGetProperty("items", out _), Is.True);

        var trialEnded = Event("customer.subscription.updated.trial_ended.json").Data;
        Assert.That(trialEnded.GetObject<Subscription>().Status, Is.EqualTo("active"));
        Assert.That(trialEnded.PreviousAttributes!.Value.GetProperty("status").GetString(), Is.EqualTo("trialing"));
    }

    [Test]
    public void SubscriptionDeleted()
    {
        var sub = Event("customer.subscription.deleted.json").Data.GetObject<Subscription>();
        Assert.That(sub.Status, Is.EqualTo("canceled"));
        Assert.That(sub.EndedAt, Is.Not.Null);
        Assert.That(sub.CanceledAt, Is.Not.Null);
        Assert.That(sub.CancellationDetails!.Reason, Is.EqualTo("cancellation_requested"));
    }

    [Test]
    public void InvoicePaidAndFailed()
    {
        var paid = Event("invoice.paid.json").Data.GetObject<Invoice>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(paid.Status, Is.EqualTo("paid"));
            Assert.That(paid.AmountPaid, Is.EqualTo(2000));
            Assert.That(paid.Currency, Is.EqualTo("usd"));
            Assert.That(paid.BillingReason, Is.EqualTo("subscription_cycle"));
            Assert.That(paid.SubscriptionId, Is.EqualTo("sub_1Pgc6rB7WZ01zgkWNy0Cn5nw"));
            Assert.That(paid.Parent!.SubscriptionDetails!.Metadata!["plan"], Is.EqualTo("pro"));
            Assert.That(paid.Lines.Data[0].Pricing!.PriceDetails!.Price, Is.EqualTo("price_1PgafmB7WZ01zgkW6dKueIc5"));
            Assert.That(paid.Lines.Data[0].Parent!.SubscriptionItemDetails!.SubscriptionItem, Is.EqualTo("si_QXhVnC2h0Jczwc"));
            Assert.That(paid.Lines.Data[0].Period!.End, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1789639293)));
            Assert.That(paid.StatusTransitions!.PaidAt, Is.Not.Null);
            Assert.That(paid.Payments, Is.Null);
        }

        var failed = Event("invoice.payment_failed.json").Data.GetObject<Invoice>();
        Assert.That(failed.Id, Is.EqualTo("in_1Pgc6tB7WZ01zgkWfail0001"));
        Assert.That(failed.Status, Is.EqualTo("open"));
        Assert.That(failed.AttemptCount, Is.EqualTo(1));
        Assert.That(failed.NextPaymentAttempt, Is.Not.Null);
    }

    [Test]
    public void CheckoutSessionsCompleted()
    {
        var trial = Event("checkout.session.completed.subscription_trial.json").Data.GetObject<CheckoutSession>();
        Assert.That(trial.Mode, Is.EqualTo("subscription"));
        Assert.That(trial.PaymentStatus, Is.EqualTo("no_payment_required"));
        Assert.That(trial.ClientReferenceId, Is.EqualTo("user_42"));
        Assert.That(trial.Subscription!.Id, Is.EqualTo("sub_1Pgc6rB7WZ01zgkWNy0Cn5nw"));
        Assert.That(trial.Metadata["user_id"], Is.EqualTo("42"));

        var payment = Event("checkout.session.completed.payment.json").Data.GetObject<CheckoutSession>();
        Assert.That(payment.Mode, Is.EqualTo("payment"));
        Assert.That(payment.CustomerEmail, Is.EqualTo("buyer@example.com"));
        Assert.That(payment.ClientReferenceId, Is.EqualTo("order_789"));
        Assert.That(payment.PaymentIntent!.Id, Is.EqualTo("pi_1PgafyB7WZ01zgkWSjxsAJo3"));
        Assert.That(payment.AmountTotal, Is.EqualTo(2198));
        Assert.That(payment.Customer, Is.Null);
    }

    [Test]
    public void PaymentIntentChargeAndRefund()
    {
        var pi = Event("payment_intent.succeeded.json").Data.GetObject<PaymentIntent>();
        Assert.That(pi.AmountReceived, Is.EqualTo(2198));
        Assert.That(pi.ApplicationFeeAmount, Is.EqualTo(220));
        Assert.That(pi.TransferData!.Destination!.Id, Is.EqualTo("acct_1PgafTB7WZ01zgkW"));
        Assert.That(pi.LatestCharge!.Id, Is.EqualTo("ch_1PgafuB7WZ01zgkWXYmPNZs8"));
        Assert.That(pi.Metadata["order_id"], Is.EqualTo("order_789"));

        var charge = Event("charge.refunded.json").Data.GetObject<Charge>();
        Assert.That(charge.Refunded, Is.True);
        Assert.That(charge.AmountRefunded, Is.EqualTo(2198));
        Assert.That(charge.PaymentIntent!.Id, Is.EqualTo(pi.Id));
        Assert.That(charge.Invoice, Is.Null);
        var refund = charge.Refunds!.Data.Single();
        Assert.That(refund.Amount, Is.EqualTo(2198));
        Assert.That(refund.TransferReversal!.Id, Is.EqualTo("trr_1Pgc7BB7WZ01zgkWrev00001"));
    }

    [Test]
    public void AccountUpdatedOnConnect()
    {
        var evt = Event("account.updated.json");
        var account = evt.Data.GetObject<Account>();
        Assert.That(evt.Account, Is.EqualTo("acct_1PgafTB7WZ01zgkW"));
        Assert.That(account.ChargesEnabled && account.PayoutsEnabled && account.DetailsSubmitted, Is.True);
        Assert.That(account.Requirements!.CurrentlyDue, Is.Empty);
        Assert.That(account.Capabilities["transfers"], Is.EqualTo("active"));
        Assert.That(account.Metadata["seller_id"], Is.EqualTo("7"));
        Assert.That(evt.Data.PreviousAttributes, Is.Not.Null);
    }

    [Test]
    public void ExpandableFieldsReadIdsAndObjects()
    {
        var sub = Read<Subscription>("objects", "subscription.json");
        var json = """{"id":"sub_9","object":"subscription","customer":{"id":"cus_9","object":"customer","email":"e@x.y"},"latest_invoice":"in_9"}""";
        var expanded = StripeJson.Deserialize<Subscription>(System.Text.Encoding.UTF8.GetBytes(json));
        Assert.That(expanded.Customer!.Id, Is.EqualTo("cus_9"));
        Assert.That(expanded.Customer.Value!.Email, Is.EqualTo("e@x.y"));
        Assert.That(expanded.LatestInvoice!.IsExpanded, Is.False);
        Assert.That(sub.Customer!.Id, Is.EqualTo("cus_QXg1o8vcGmoR32"));
    }

    [Test]
    public void UnknownFieldsAndEnumValuesAreTolerated()
    {
        var json = """{"id":"sub_x","object":"subscription","status":"some_future_status","brand_new_field":{"a":[1,2]},"items":{"object":"list","data":[],"has_more":false,"url":"/v1/subscription_items"}}""";
        var sub = StripeJson.Deserialize<Subscription>(System.Text.Encoding.UTF8.GetBytes(json));
        Assert.That(sub.Status, Is.EqualTo("some_future_status"));
    }

    [Test]
    public void DeletedCustomerAndEventList()
    {
        var deleted = Read<Customer>("objects", "deleted_customer.json");
        Assert.That(deleted.Deleted, Is.True);
        Assert.That(deleted.Id, Is.EqualTo("cus_QXg1o8vcGmoR32"));

        var list = Read<StripeList<StripeEvent>>("objects", "list_of_events.json");
        Assert.That(list.Data, Has.Count.EqualTo(3));
        Assert.That(list.Url, Is.EqualTo("/v1/events"));
        Assert.That(list.Data.Select(e => e.Type), Has.All.Not.Empty);
    }
}
