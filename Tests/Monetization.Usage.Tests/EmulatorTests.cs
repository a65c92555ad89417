using Monetization.TestKit;
using static Monetization.Usage.Tests.UsageFactory;

namespace Monetization.Usage.Tests;

/// <summary>Credits and usage invoices end to end through the Host's built-in Stripe emulator, Subscriptions' webhook and the outbox.</summary>
public sealed class EmulatorTests
{
    private static readonly DateTimeOffset October = new(2026, 10, 15, 12, 0, 0, TimeSpan.Zero);

    private static MonetizationFactory NewFactory() =>
        new MonetizationFactory()
            .WithSetting("Usage:InvoiceJob:Enabled", "false")
            .WithSetting("Usage:ModelPrices:gpt-4o:Input", "2.50")
            .WithSetting("Usage:ModelPrices:gpt-4o:Output", "10.00");

    /// <summary>Subscribes through Subscriptions' checkout on the emulator: the card becomes the customer's default payment method.</summary>
    private static async Task SubscribeAsync(MonetizationFactory f, string user, string card)
    {
        using var response = await f.CreateAdminClient().PostJsonAsync("/v1/subscriptions/checkout", new { user_id = user, email = $"{user}@example.com", plan = "premium", cadence = "monthly" });
        await f.CompleteCheckoutAsync((await response.ReadJsonAsync())["session_id"]!.GetValue<string>(), card);
        await f.SettleAsync();
    }

    private static async Task<string> BuyCreditsAsync(MonetizationFactory f, string user, string package, string card)
    {
        using var response = await f.CreateAdminClient().PostJsonAsync($"/v1/usage/{user}/credits/checkout", new { package });
        var session = (await response.ReadJsonAsync(201))["session_id"]!.GetValue<string>();
        await f.CompleteCheckoutAsync(session, card);
        await f.SettleAsync();
        return session;
    }

    [Test]
    public async Task Bought_credits_are_spent_first_and_the_rest_is_charged_on_a_Stripe_invoice()
    {
        await using var f = NewFactory();
        await SubscribeAsync(f, "buyer", "4242424242424242");
        var consumption = await f.CreateReadClient().GetJsonAsync("/v1/usage/buyer/consumption");
        Assert.That(consumption["plan"]!.GetValue<string>(), Is.EqualTo("premium"), "SubscriptionChanged reached Usage through the outbox");
        var session = await BuyCreditsAsync(f, "buyer", "small", "4242424242424242");
        var wallet = await f.CreateReadClient().GetJsonAsync("/v1/usage/buyer/credits");
        Assert.That(wallet["balance"]!.GetValue<long>(), Is.EqualTo(500));
        Assert.That(wallet["grants"]![0]!["checkout_session_id"]!.GetValue<string>(), Is.EqualTo(session));

        // 3M input × 2.50 + 100k output × 10.00 per million = 8.50 USD.
        using (var ingest = await f.CreateAdminClient().PostJsonAsync("/v1/usage/events", new { events = new[] { Tokens("e1", "buyer", "gpt-4o", 3_000_000, 100_000, October) } }))
        {
            await ingest.ReadJsonAsync(202);
        }

        using var run = await f.CreateAdminClient().PostJsonAsync("/v1/usage/invoices", new { period = "2026-10" });
        var invoice = (await run.ReadJsonAsync())["invoices"]![0]!;
        Assert.That((invoice["subtotal"]!.GetValue<long>(), invoice["credits_applied"]!.GetValue<long>(), invoice["amount_due"]!.GetValue<long>()), Is.EqualTo((850L, 500L, 350L)));
        Assert.That(invoice["status"]!.GetValue<string>(), Is.EqualTo("paid"), invoice.ToJsonString());
        Assert.That(invoice["stripe_invoice_id"]!.GetValue<string>(), Does.StartWith("in_"));
    }

    [Test]
    public async Task A_card_that_fails_off_session_leaves_the_invoice_payment_failed()
    {
        await using var f = NewFactory();
        await SubscribeAsync(f, "risky", "4000000000000341");
        await BuyCreditsAsync(f, "risky", "small", "4242424242424242");
        using (var ingest = await f.CreateAdminClient().PostJsonAsync("/v1/usage/events", new { events = new[] { Tokens("e1", "risky", "gpt-4o", 4_000_000, 0, October) } }))
        {
            await ingest.ReadJsonAsync(202);
        }

        using var run = await f.CreateAdminClient().PostJsonAsync("/v1/usage/invoices", new { period = "2026-10" });
        var invoice = (await run.ReadJsonAsync())["invoices"]![0]!;
        Assert.That((invoice["amount_due"]!.GetValue<long>(), invoice["status"]!.GetValue<string>()), Is.EqualTo((500L, "payment_failed")), invoice.ToJsonString());
        Assert.That(invoice["last_error"]!.GetValue<string>(), Does.Contain("decline"));
    }
}
