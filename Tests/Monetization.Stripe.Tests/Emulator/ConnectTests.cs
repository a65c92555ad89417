using System.Net;

namespace Monetization.Stripe.Tests.Emulator;

[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class ConnectTests
{
    [Test]
    public async Task Account_link_onboarding_page_completes_and_emits_account_updated()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var account = await h.PostAsync("v1/accounts", ("type", "express"), ("country", "US"), ("email", "seller@example.com"),
            ("capabilities[card_payments][requested]", "true"), ("capabilities[transfers][requested]", "true"), ("metadata[seller_id]", "7"));
        var accountId = (string)account["id"]!;
        Assert.That((bool)account["charges_enabled"]!, Is.False);
        var link = await h.PostAsync("v1/account_links", ("account", accountId), ("type", "account_onboarding"),
            ("refresh_url", "https://example.com/connect/refresh"), ("return_url", "https://example.com/connect/return"));
        var url = (string)link["url"]!;
        Assert.That(url, Does.StartWith(h.BaseUrl + "/connect/onboarding/"));
        var mark = await h.FlushAsync();

        var page = await h.Http.GetStringAsync(url);
        Assert.That(page, Does.Contain("Complete onboarding"));
        using var post = await h.Http.PostAsync(url, new FormUrlEncodedContent([]));

        Assert.Multiple(() =>
        {
            Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
            Assert.That(post.Headers.Location?.ToString(), Is.EqualTo("https://example.com/connect/return"));
        });
        var delivered = h.Receiver.Since(mark);
        Assert.That(delivered.Select(d => d.Type), Is.EqualTo(new[] { "account.updated" }));
        var evt = delivered[0].Event;
        Assert.Multiple(() =>
        {
            Assert.That((string?)evt["account"], Is.EqualTo(accountId));
            Assert.That((bool)evt["data"]!["object"]!["charges_enabled"]!, Is.True);
            Assert.That((bool)evt["data"]!["object"]!["payouts_enabled"]!, Is.True);
            Assert.That((bool)evt["data"]!["object"]!["details_submitted"]!, Is.True);
            Assert.That((bool?)evt["data"]!["previous_attributes"]!["charges_enabled"], Is.False);
        });
    }

    [Test]
    public async Task Test_route_completes_onboarding()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var account = await h.PostAsync("v1/accounts", ("type", "express"));
        var mark = await h.FlushAsync();
        var (status, json) = await h.TestAsync(HttpMethod.Post, $"_test/accounts/{(string)account["id"]!}/complete_onboarding");
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((bool)json["details_submitted"]!, Is.True);
            Assert.That(h.Receiver.Since(mark).Select(d => d.Type), Is.EqualTo(new[] { "account.updated" }));
        });
    }

    [Test]
    public async Task Transfer_moves_balance_and_reversal_needs_available_balance()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var account = await h.PostAsync("v1/accounts", ("type", "express"));
        var accountId = (string)account["id"]!;
        var transfer = await h.PostAsync("v1/transfers", ("amount", "1100"), ("currency", "usd"), ("destination", accountId),
            ("transfer_group", "ORDER_95"), ("metadata[order_id]", "order_95"));
        var transferId = (string)transfer["id"]!;
        var balance = await GetBalanceAsync(h, accountId);
        Assert.That(balance, Is.EqualTo(1100));

        var (setStatus, _) = await h.TestAsync(HttpMethod.Post, $"_test/accounts/{accountId}/balance", new { amount = 300, currency = "usd" });
        Assert.That(setStatus, Is.EqualTo(HttpStatusCode.OK));
        var (failed, error, _) = await h.SendAsync(HttpMethod.Post, $"v1/transfers/{transferId}/reversals", [("amount", "500")]);
        Assert.Multiple(() =>
        {
            Assert.That(failed, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((string?)error["error"]!["type"], Is.EqualTo("invalid_request_error"));
            Assert.That((string?)error["error"]!["code"], Is.EqualTo("balance_insufficient"));
        });

        await h.TestAsync(HttpMethod.Post, $"_test/accounts/{accountId}/balance", new { amount = 5000, currency = "usd" });
        var mark = await h.FlushAsync();
        var reversal = await h.PostAsync($"v1/transfers/{transferId}/reversals", ("amount", "500"), ("description", "Partial refund"));
        await h.FlushAsync();
        var reloaded = await h.GetAsync($"v1/transfers/{transferId}");
        Assert.Multiple(async () =>
        {
            Assert.That((string?)reversal["object"], Is.EqualTo("transfer_reversal"));
            Assert.That((string?)reversal["id"], Does.StartWith("trr_"));
            Assert.That((long)reloaded["amount_reversed"]!, Is.EqualTo(500));
            Assert.That((bool)reloaded["reversed"]!, Is.False);
            Assert.That(await GetBalanceAsync(h, accountId), Is.EqualTo(4500));
            Assert.That(h.Receiver.Since(mark).Select(d => d.Type), Is.EqualTo(new[] { "transfer.reversed" }));
        });
    }

    [Test]
    public async Task Destination_charge_checkout_creates_transfer_to_connected_account()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var account = await h.PostAsync("v1/accounts", ("type", "express"));
        var accountId = (string)account["id"]!;
        var session = await h.PostAsync("v1/checkout/sessions", ("mode", "payment"), ("line_items[0][price_data][currency]", "usd"),
            ("line_items[0][price_data][product_data][name]", "Course"), ("line_items[0][price_data][unit_amount]", "2198"),
            ("payment_intent_data[application_fee_amount]", "220"), ("payment_intent_data[transfer_data][destination]", accountId),
            ("success_url", "https://example.com/ok"));
        var completed = await h.CompleteCheckoutAsync((string)session["id"]!);
        var intent = await h.GetAsync($"v1/payment_intents/{(string)completed["payment_intent"]!}");

        Assert.Multiple(async () =>
        {
            Assert.That((long?)intent["application_fee_amount"], Is.EqualTo(220));
            Assert.That((string?)intent["transfer_data"]!["destination"], Is.EqualTo(accountId));
            Assert.That(await GetBalanceAsync(h, accountId), Is.EqualTo(2198 - 220));
        });
    }

    private static async Task<long> GetBalanceAsync(EmulatorHarness h, string accountId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/balance");
        request.Headers.Add("Stripe-Account", accountId);
        using var response = await h.Http.SendAsync(request);
        var json = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return (long)json["available"]![0]!["amount"]!;
    }
}
