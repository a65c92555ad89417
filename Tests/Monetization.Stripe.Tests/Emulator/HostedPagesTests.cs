using System.Net;

namespace Monetization.Stripe.Tests.Emulator;

[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class HostedPagesTests
{
    [Test]
    public async Task Checkout_page_shows_decline_then_redirects_to_success_url()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var price = await h.CreatePriceAsync(2000);
        var session = await h.PostAsync("v1/checkout/sessions", ("mode", "subscription"), ("line_items[0][price]", (string)price["id"]!),
            ("customer_email", "jenny@example.com"), ("success_url", "https://example.com/success?session_id={CHECKOUT_SESSION_ID}"),
            ("cancel_url", "https://example.com/cancel"));
        var url = (string)session["url"]!;
        Assert.That(url, Is.EqualTo($"{h.BaseUrl}/checkout/{(string)session["id"]!}"));

        var page = await h.Http.GetStringAsync(url);
        using var declined = await h.Http.PostAsync(url, new FormUrlEncodedContent([new("card", "4000 0000 0000 9995")]));
        var declinedHtml = await declined.Content.ReadAsStringAsync();
        using var paid = await h.Http.PostAsync(url, new FormUrlEncodedContent([new("card", "4242 4242 4242 4242")]));
        var reloaded = await h.GetAsync($"v1/checkout/sessions/{(string)session["id"]!}");

        Assert.Multiple(() =>
        {
            Assert.That(page, Does.Contain("name=\"card\""));
            Assert.That(page, Does.Contain("$20.00"));
            Assert.That(declined.StatusCode, Is.EqualTo(HttpStatusCode.PaymentRequired));
            Assert.That(declinedHtml, Does.Contain("insufficient funds"));
            Assert.That(paid.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
            Assert.That(paid.Headers.Location?.ToString(), Is.EqualTo($"https://example.com/success?session_id={(string)session["id"]!}"));
            Assert.That((string?)reloaded["status"], Is.EqualTo("complete"));
        });
    }

    [Test]
    public async Task Portal_page_cancels_resumes_and_switches_plan()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var basic = await h.CreatePriceAsync(1000, name: "Basic");
        var pro = await h.CreatePriceAsync(3000, product: (string)basic["product"]!);
        var (_, subscriptionId, customerId) = await h.SubscribeAsync((string)basic["id"]!);
        var portal = await h.PostAsync("v1/billing_portal/sessions", ("customer", customerId), ("return_url", "https://example.com/account"));
        var url = (string)portal["url"]!;

        var page = await h.Http.GetStringAsync(url);
        using var cancel = await h.Http.PostAsync($"{url}/subscriptions/{subscriptionId}/cancel", new FormUrlEncodedContent([]));
        var afterCancel = await h.GetAsync($"v1/subscriptions/{subscriptionId}");
        using var resume = await h.Http.PostAsync($"{url}/subscriptions/{subscriptionId}/resume", new FormUrlEncodedContent([]));
        var afterResume = await h.GetAsync($"v1/subscriptions/{subscriptionId}");
        using var change = await h.Http.PostAsync($"{url}/subscriptions/{subscriptionId}/switch", new FormUrlEncodedContent([new("price", (string)pro["id"]!)]));
        var afterSwitch = await h.GetAsync($"v1/subscriptions/{subscriptionId}");

        Assert.Multiple(() =>
        {
            Assert.That(page, Does.Contain("Cancel at period end"));
            Assert.That(page, Does.Contain((string)pro["id"]!));
            Assert.That(page, Does.Contain("https://example.com/account"));
            Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
            Assert.That((bool)afterCancel["cancel_at_period_end"]!, Is.True);
            Assert.That((bool)afterResume["cancel_at_period_end"]!, Is.False);
            Assert.That(resume.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
            Assert.That(change.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
            Assert.That((string?)afterSwitch["items"]!["data"]![0]!["price"]!["id"], Is.EqualTo((string)pro["id"]!));
        });
    }
}
