using System.Net;
using System.Text.Json.Nodes;

namespace Monetization.Stripe.Tests.Emulator;

[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class ApiBehaviourTests
{
    [Test]
    public async Task Idempotency_key_replays_the_first_response_and_rejects_other_parameters()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var (s1, first, r1) = await h.SendAsync(HttpMethod.Post, "v1/customers", [("email", "jenny@example.com")], "idem-customer-42");
        var (s2, second, r2) = await h.SendAsync(HttpMethod.Post, "v1/customers", [("email", "jenny@example.com")], "idem-customer-42");
        var (s3, mismatch, _) = await h.SendAsync(HttpMethod.Post, "v1/customers", [("email", "other@example.com")], "idem-customer-42");
        var list = await h.GetAsync("v1/customers");

        Assert.Multiple(() =>
        {
            Assert.That(s1, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(s2, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((string?)second["id"], Is.EqualTo((string?)first["id"]));
            Assert.That(r1.Headers.Contains("Idempotent-Replayed"), Is.False);
            Assert.That(r2.Headers.GetValues("Idempotent-Replayed").Single(), Is.EqualTo("true"));
            Assert.That(s3, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((string?)mismatch["error"]!["type"], Is.EqualTo("idempotency_error"));
            Assert.That(list["data"]!.AsArray(), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Events_carry_the_request_id_and_idempotency_key()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var (_, customer, response) = await h.SendAsync(HttpMethod.Post, "v1/customers", [("email", "a@example.com")], "idem-evt-1");
        var events = await h.GetAsync("v1/events", ("type", "customer.created"));
        var evt = events["data"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)evt["request"]!["id"], Is.EqualTo(response.Headers.GetValues("Request-Id").Single()));
            Assert.That((string?)evt["request"]!["idempotency_key"], Is.EqualTo("idem-evt-1"));
            Assert.That((string?)evt["data"]!["object"]!["id"], Is.EqualTo((string?)customer["id"]));
        });
    }

    [Test]
    public async Task Validation_errors_use_stripe_error_objects()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var (unknownStatus, unknown, unknownResponse) = await h.SendAsync(HttpMethod.Post, "v1/customers", [("emali", "x@example.com")]);
        var (missingStatus, missing, _) = await h.SendAsync(HttpMethod.Post, "v1/account_links", [("type", "account_onboarding")]);
        var (nestedStatus, nested, _) = await h.SendAsync(HttpMethod.Post, "v1/checkout/sessions", [("mode", "payment"), ("line_items[0][prise]", "price_x")]);
        var (notFoundStatus, notFound, _) = await h.SendAsync(HttpMethod.Get, "v1/customers/cus_DoesNotExist0001");
        var (bodyIdStatus, bodyId, _) = await h.SendAsync(HttpMethod.Post, "v1/checkout/sessions", [("mode", "subscription"), ("line_items[0][price]", "price_nope")]);
        var (urlStatus, _, _) = await h.SendAsync(HttpMethod.Get, "v1/nothing_here");

        Assert.Multiple(() =>
        {
            Assert.That(unknownStatus, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((string?)unknown["error"]!["code"], Is.EqualTo("parameter_unknown"));
            Assert.That((string?)unknown["error"]!["param"], Is.EqualTo("emali"));
            Assert.That((string?)unknown["error"]!["type"], Is.EqualTo("invalid_request_error"));
            Assert.That(unknownResponse.Headers.GetValues("Request-Id").Single(), Does.StartWith("req_"));
            Assert.That(missingStatus, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((string?)missing["error"]!["code"], Is.EqualTo("parameter_missing"));
            Assert.That((string?)missing["error"]!["param"], Is.EqualTo("account"));
            Assert.That(nestedStatus, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((string?)nested["error"]!["param"], Is.EqualTo("line_items[0][prise]"));
            Assert.That(notFoundStatus, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((string?)notFound["error"]!["code"], Is.EqualTo("resource_missing"));
            Assert.That((string?)notFound["error"]!["param"], Is.EqualTo("id"));
            Assert.That((string?)notFound["error"]!["message"], Is.EqualTo("No such customer: 'cus_DoesNotExist0001'"));
            Assert.That(bodyIdStatus, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((string?)bodyId["error"]!["param"], Is.EqualTo("line_items[0][price]"));
            Assert.That(urlStatus, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task Missing_or_live_api_key_is_rejected_with_401()
    {
        await using var h = await EmulatorHarness.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = h.Http.BaseAddress };
        using var none = await anonymous.GetAsync("v1/customers");
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/customers");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sk_live_1234567890abcdef");
        using var live = await anonymous.SendAsync(request);
        var body = JsonNode.Parse(await none.Content.ReadAsStringAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((string?)body["error"]!["type"], Is.EqualTo("invalid_request_error"));
            Assert.That(none.Headers.Contains("Request-Id"), Is.True);
            Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Fault_injection_fails_the_next_requests_then_recovers()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var (setStatus, _) = await h.TestAsync(HttpMethod.Post, "_test/faults", new { method = "POST", path_prefix = "/v1/customers", status = 503, count = 2 });
        var (f1, e1, r1) = await h.SendAsync(HttpMethod.Post, "v1/customers", [("email", "a@example.com")]);
        var (f2, _, _) = await h.SendAsync(HttpMethod.Post, "v1/customers", [("email", "a@example.com")]);
        var (ok, customer, _) = await h.SendAsync(HttpMethod.Post, "v1/customers", [("email", "a@example.com")]);

        await h.TestAsync(HttpMethod.Post, "_test/faults", new { path_prefix = "/v1/", status = 500, count = 5, type = "api_error", code = "boom" });
        var (f3, _, _) = await h.SendAsync(HttpMethod.Get, "v1/customers");
        var (cleared, _) = await h.TestAsync(HttpMethod.Delete, "_test/faults");
        var (ok2, _, _) = await h.SendAsync(HttpMethod.Get, "v1/customers");

        Assert.Multiple(() =>
        {
            Assert.That(setStatus, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((int)f1, Is.EqualTo(503));
            Assert.That((string?)e1["error"]!["type"], Is.EqualTo("api_error"));
            Assert.That(r1.Headers.GetValues("Stripe-Should-Retry").Single(), Is.EqualTo("true"));
            Assert.That((int)f2, Is.EqualTo(503));
            Assert.That(ok, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((string?)customer["id"], Does.StartWith("cus_"));
            Assert.That((int)f3, Is.EqualTo(500));
            Assert.That(cleared, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ok2, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Customers_update_emits_previous_attributes_and_lists_paginate()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((string)(await h.PostAsync("v1/customers", ("email", $"c{i}@example.com"), ("metadata[user_id]", i.ToString(System.Globalization.CultureInfo.InvariantCulture))))["id"]!);
        }

        var updated = await h.PostAsync($"v1/customers/{ids[0]}", ("name", "Jenny Rosen"), ("metadata[user_id]", ""), ("metadata[plan]", "pro"));
        var page1 = await h.GetAsync("v1/customers", ("limit", "2"));
        var page2 = await h.GetAsync("v1/customers", ("limit", "2"), ("starting_after", (string)page1["data"]![1]!["id"]!));
        var before = await h.GetAsync("v1/customers", ("limit", "2"), ("ending_before", ids[0]));
        var events = await h.GetAsync("v1/events", ("types[0]", "customer.updated"), ("types[1]", "customer.deleted"), ("created[gte]", h.Now.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Multiple(() =>
        {
            Assert.That((string?)updated["name"], Is.EqualTo("Jenny Rosen"));
            Assert.That(updated["metadata"]!.AsObject().ContainsKey("user_id"), Is.False);
            Assert.That((string?)page1["object"], Is.EqualTo("list"));
            Assert.That((string?)page1["url"], Is.EqualTo("/v1/customers"));
            Assert.That(page1["data"]!.AsArray().Select(c => (string?)c!["id"]), Is.EqualTo(new[] { ids[2], ids[1] }));
            Assert.That((bool)page1["has_more"]!, Is.True);
            Assert.That(page2["data"]!.AsArray().Select(c => (string?)c!["id"]), Is.EqualTo(new[] { ids[0] }));
            Assert.That((bool)page2["has_more"]!, Is.False);
            Assert.That(before["data"]!.AsArray().Select(c => (string?)c!["id"]), Is.EqualTo(new[] { ids[2], ids[1] }));
            Assert.That(events["data"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That((string?)events["data"]![0]!["data"]!["previous_attributes"]!["name"], Is.Null);
            Assert.That(events["data"]![0]!["data"]!["previous_attributes"]!.AsObject().ContainsKey("name"), Is.True);
        });
    }

    [Test]
    public async Task Invoices_create_with_pending_items_finalize_and_pay()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var price = await h.CreatePriceAsync(2000);
        var (_, subscriptionId, customerId) = await h.SubscribeAsync((string)price["id"]!);
        var paymentMethod = (string)(await h.GetAsync($"v1/subscriptions/{subscriptionId}"))["default_payment_method"]!;
        var item = await h.PostAsync("v1/invoiceitems", ("customer", customerId), ("amount", "1000"), ("currency", "usd"), ("description", "Setup fee"));
        Assert.That(item["invoice"], Is.Null);

        var invoice = await h.PostAsync("v1/invoices", ("customer", customerId), ("pending_invoice_items_behavior", "include"), ("metadata[project]", "alpha"));
        Assert.Multiple(() =>
        {
            Assert.That((string?)invoice["status"], Is.EqualTo("draft"));
            Assert.That((long)invoice["amount_due"]!, Is.EqualTo(1000));
        });
        var finalized = await h.PostAsync($"v1/invoices/{(string)invoice["id"]!}/finalize");
        var (noMethod, noMethodError, _) = await h.SendAsync(HttpMethod.Post, $"v1/invoices/{(string)invoice["id"]!}/pay");
        var paid = await h.PostAsync($"v1/invoices/{(string)invoice["id"]!}/pay", ("payment_method", paymentMethod));
        var reloadedItem = await h.GetAsync($"v1/invoiceitems/{(string)item["id"]!}");
        Assert.Multiple(() =>
        {
            Assert.That((string?)finalized["status"], Is.EqualTo("open"));
            Assert.That((string?)finalized["number"], Is.Not.Null);
            Assert.That((int)noMethod, Is.EqualTo(402));
            Assert.That((string?)noMethodError["error"]!["code"], Is.EqualTo("invoice_no_payment_method"));
            Assert.That((string?)paid["status"], Is.EqualTo("paid"));
            Assert.That((long)paid["amount_paid"]!, Is.EqualTo(1000));
            Assert.That((string?)reloadedItem["invoice"], Is.EqualTo((string?)invoice["id"]));
        });
    }

    [Test]
    public async Task Billing_portal_session_points_at_the_hosted_portal()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var customer = await h.PostAsync("v1/customers", ("email", "a@example.com"));
        var portal = await h.PostAsync("v1/billing_portal/sessions", ("customer", (string)customer["id"]!), ("return_url", "https://example.com/account"));
        Assert.Multiple(() =>
        {
            Assert.That((string?)portal["object"], Is.EqualTo("billing_portal.session"));
            Assert.That((string?)portal["url"], Is.EqualTo($"{h.BaseUrl}/portal/{(string)portal["id"]!}"));
            Assert.That((string?)portal["id"], Does.StartWith("bps_"));
        });
    }
}
