using System.Text.Json;
using StripeNet = Stripe;

namespace Monetization.Stripe.Tests.Client;

/// <summary>
/// Stripe's sample events and objects (<c>samples/</c>, API version <c>2026-07-29.dahlia</c>) bind to Stripe.net's models
/// (pinned to <c>2026-10-28.endive</c>) both ways the project reads them: Stripe.net's own
/// <see cref="StripeNet.EventUtility.ParseEvent(string, bool)"/> with <c>throwOnApiVersionMismatch: false</c>, and
/// System.Text.Json with Stripe.net's <see cref="StripeNet.StripeConfiguration.SerializerOptions"/> (the webhook path, ADR 0021).
/// </summary>
[TestFixture]
public sealed class SampleBindingTests
{
    private static readonly Dictionary<string, Type> ObjectTypes = new()
    {
        ["account"] = typeof(StripeNet.Account),
        ["charge"] = typeof(StripeNet.Charge),
        ["checkout.session"] = typeof(StripeNet.Checkout.Session),
        ["invoice"] = typeof(StripeNet.Invoice),
        ["payment_intent"] = typeof(StripeNet.PaymentIntent),
        ["subscription"] = typeof(StripeNet.Subscription),
    };

    private static string Dir(string sub) => SharedStripeData.PathTo("samples", sub);

    [Test]
    public void EverySampleEventParsesWithStripeNetDespiteItsOlderApiVersion()
    {
        foreach (var file in Directory.GetFiles(Dir("events"), "*.json"))
        {
            var json = File.ReadAllText(file);
            var evt = StripeNet.EventUtility.ParseEvent(json, throwOnApiVersionMismatch: false);
            using var doc = JsonDocument.Parse(json);
            var obj = doc.RootElement.GetProperty("data").GetProperty("object");
            var objectType = obj.GetProperty("object").GetString()!;
            Assert.That(evt.Id, Is.EqualTo(doc.RootElement.GetProperty("id").GetString()), file);
            Assert.That(evt.Data.Object, Is.InstanceOf(ObjectTypes[objectType]), file);

            var bound = (StripeNet.IHasId)obj.Deserialize(ObjectTypes[objectType], StripeNet.StripeConfiguration.SerializerOptions)!;
            Assert.That(bound.Id, Is.EqualTo(obj.GetProperty("id").GetString()), $"{file}: System.Text.Json with Stripe.net's settings");
            Assert.Throws<StripeNet.StripeException>(() => StripeNet.EventUtility.ParseEvent(json), $"{file}: the trap: a dahlia event throws unless the mismatch is allowed");
        }
    }

    [Test]
    public void EverySampleObjectBindsTheSameWithTheWebhookPathsSettingsAsWithStripeNets()
    {
        var compared = 0;
        foreach (var file in Directory.GetFiles(Dir("events"), "*.json"))
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var obj = doc.RootElement.GetProperty("data").GetProperty("object");
            var type = ObjectTypes[obj.GetProperty("object").GetString()!];
            var expected = (StripeNet.StripeEntity)obj.Deserialize(type, StripeNet.StripeConfiguration.SerializerOptions)!;
            var actual = (StripeNet.StripeEntity)obj.Deserialize(type, Monetization.Stripe.Json.StripeObjectJson.Options)!;
            Assert.That(actual.ToJson(), Is.EqualTo(expected.ToJson()), file);
            compared++;
        }

        Assert.That(compared, Is.GreaterThan(5));
    }

    [Test]
    public void TheFieldsTheWebhookPathReadsBind()
    {
        var sub = Object<StripeNet.Subscription>("customer.subscription.updated.plan_change.json");
        Assert.That(sub.CustomerId, Is.Not.Null.And.StartsWith("cus_"));
        Assert.That(sub.Items.Data[0].CurrentPeriodEnd, Is.GreaterThan(sub.Items.Data[0].CurrentPeriodStart), "periods live on items");
        Assert.That(sub.Items.Data[0].Price.Recurring.Interval, Is.Not.Empty);
        Assert.That(sub.Created.Kind, Is.EqualTo(DateTimeKind.Utc));

        var invoice = Object<StripeNet.Invoice>("invoice.paid.json");
        Assert.That(invoice.Parent.SubscriptionDetails.SubscriptionId, Does.StartWith("sub_"), "an invoice's subscription since basil");
        Assert.That(invoice.Lines.Data[0].Pricing.PriceDetails.PriceId, Does.StartWith("price_"));
        Assert.That(invoice.AmountPaid, Is.GreaterThan(0));

        var session = Object<StripeNet.Checkout.Session>("checkout.session.completed.subscription_paid.json");
        Assert.That((session.Mode, session.SubscriptionId is not null, session.CustomerId is not null), Is.EqualTo(("subscription", true, true)));

        var charge = Object<StripeNet.Charge>("charge.refunded.json");
        Assert.That(charge.AmountRefunded, Is.GreaterThan(0));
        Assert.That(charge.PaymentIntentId, Does.StartWith("pi_"));
    }

    private static T Object<T>(string eventFile)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Dir("events"), eventFile)));
        return doc.RootElement.GetProperty("data").GetProperty("object").Deserialize<T>(Monetization.Stripe.Json.StripeObjectJson.Options)!;
    }
}
