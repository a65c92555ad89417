using System.Text.Json.Nodes;

namespace Monetization.Stripe.Tests.Emulator;

/// <summary>
/// Every object the emulator returns carries at least the top-level fields of the same type in <c>openapi/fixtures3.json</c>
/// (Stripe's 2026-07-29.dahlia fixtures) that Stripe.net 53.1.0's type still has in <c>2026-10-28.endive</c>; a fixture
/// field Stripe.net's type lacks (such as the invoice's top-level <c>subscription</c>) must not be sent
/// (<see cref="StripeNetBindingTests"/>).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class ConformanceTests
{
    [Test]
    public async Task Objects_have_every_top_level_field_of_the_fixture()
    {
        var stripeDir = EmulatorTestData.RequireStripeDirectory();
        var fixtures = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(stripeDir, "openapi", "fixtures3.json")))!["resources"]!.AsObject();
        var objects = await CollectObjectsAsync();

        Assert.Multiple(() =>
        {
            foreach (var (type, sample) in objects)
            {
                Assert.That(fixtures.ContainsKey(type), Is.True, $"fixtures3.json has no '{type}'");
                var stripeNetType = StripeNetModel.TypeOf(type);
                Assert.That(stripeNetType, Is.Not.Null, $"Stripe.net has no type for '{type}'");
                var endive = StripeNetModel.JsonNames(stripeNetType!);
                var expected = fixtures[type]!.AsObject().Select(kv => kv.Key).Where(endive.Contains).ToList();
                var missing = expected.Where(field => !sample.ContainsKey(field)).ToList();
                Assert.That(missing, Is.Empty, $"{type} lacks fields the fixture has");
                if (sample.ContainsKey("object") && type != "item")
                {
                    Assert.That((string?)sample["object"], Is.EqualTo(type));
                }
            }
        });
        Assert.That(objects.Keys, Is.SupersetOf(new[]
        {
            "customer", "checkout.session", "subscription", "subscription_item", "invoice", "invoiceitem", "charge", "payment_intent", "refund",
            "transfer", "transfer_reversal", "account", "account_link", "billing_portal.session", "price", "product", "event", "line_item",
        }));
    }

    private static async Task<Dictionary<string, JsonObject>> CollectObjectsAsync()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var result = new Dictionary<string, JsonObject>();
        var price = await h.CreatePriceAsync(2000);
        result["price"] = price;
        result["product"] = await h.GetAsync($"v1/products/{(string)price["product"]!}");
        var (session, subscriptionId, customerId) = await h.SubscribeAsync((string)price["id"]!);
        result["checkout.session"] = session;
        result["customer"] = await h.GetAsync($"v1/customers/{customerId}");
        var subscription = await h.GetAsync($"v1/subscriptions/{subscriptionId}");
        result["subscription"] = subscription;
        result["subscription_item"] = await h.GetAsync($"v1/subscription_items/{(string)subscription["items"]!["data"]![0]!["id"]!}");
        var invoice = await h.GetAsync($"v1/invoices/{(string)subscription["latest_invoice"]!}");
        result["invoice"] = invoice;
        result["line_item"] = invoice["lines"]!["data"]![0]!.AsObject();
        var intentId = (string)invoice["payments"]!["data"]![0]!["payment"]!["payment_intent"]!;
        var intent = await h.GetAsync($"v1/payment_intents/{intentId}");
        result["payment_intent"] = intent;
        result["charge"] = await h.GetAsync($"v1/charges/{(string)intent["latest_charge"]!}");
        result["refund"] = await h.PostAsync("v1/refunds", ("payment_intent", intentId), ("amount", "100"));
        result["invoiceitem"] = await h.PostAsync("v1/invoiceitems", ("customer", customerId), ("amount", "500"), ("currency", "usd"));
        var account = await h.PostAsync("v1/accounts", ("type", "express"), ("email", "seller@example.com"));
        result["account"] = account;
        result["account_link"] = await h.PostAsync("v1/account_links", ("account", (string)account["id"]!), ("type", "account_onboarding"),
            ("return_url", "https://example.com/r"), ("refresh_url", "https://example.com/f"));
        var transfer = await h.PostAsync("v1/transfers", ("amount", "1000"), ("currency", "usd"), ("destination", (string)account["id"]!));
        result["transfer_reversal"] = await h.PostAsync($"v1/transfers/{(string)transfer["id"]!}/reversals", ("amount", "100"));
        result["transfer"] = await h.GetAsync($"v1/transfers/{(string)transfer["id"]!}");
        result["billing_portal.session"] = await h.PostAsync("v1/billing_portal/sessions", ("customer", customerId));
        result["event"] = (await h.GetAsync("v1/events", ("limit", "1")))["data"]![0]!.AsObject();
        result["item"] = (await h.GetAsync($"v1/checkout/sessions/{(string)session["id"]!}/line_items"))["data"]![0]!.AsObject();
        return result;
    }
}
