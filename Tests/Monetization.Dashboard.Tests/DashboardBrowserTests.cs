using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Monetization.EndToEnd.Tests;
using Monetization.TestKit;

namespace Monetization.Dashboard.Tests;

/// <summary>
/// Issue 19: the dashboard in a real browser (Debian's Chromium through Playwright) against a Host on Kestrel that ran the
/// end-to-end story: sign in, every page's numbers against the API's answers, a dead letter replayed from the page and
/// delivered, a subscription cancelled from the page, bad form input answered with the API's errors, read keys that see but
/// cannot act, CSRF, cookie flags, phone width and keyboard use. Each page's screenshot is attached to the test results.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DashboardBrowserTests
{
    private static IAPIRequestContext _formFactory = null!;
    private BrowserHost _host = null!;
    private HttpClient _api = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await BrowserHost.StartAsync();
        _api = _host.Factory.CreateAdminClient();
        _formFactory = await _host.Playwright.APIRequest.NewContextAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _api?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Test]
    [Order(1)]
    public async Task Root_asks_for_a_key_and_a_wrong_key_is_refused()
    {
        await using var context = await _host.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        Assert.That(new Uri(page.Url).AbsolutePath, Is.EqualTo("/signin"), await page.ContentAsync());
        await page.GetByLabel("API key").FillAsync("mk_not_a_key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        Assert.That(await page.Locator(".problem").GetAttributeAsync("data-status"), Is.EqualTo("401"));
        await ShotAsync(page, "signin-refused");
        Assert.That(await context.CookiesAsync(), Has.None.Matches<BrowserContextCookiesResult>(c => c.Name == DashboardOperator.CookieName));
    }

    [Test]
    [Order(2)]
    public async Task Overview_shows_the_numbers_the_API_gives()
    {
        var (context, page) = await SignedInAsync(MonetizationFactory.AdminKey);
        await using var _ = context;
        var subscriptions = await _api.GetJsonAsync("/v1/metrics/subscriptions");
        var referrals = await _api.GetJsonAsync("/v1/metrics/referrals");
        var marketplace = await _api.GetJsonAsync("/v1/metrics/marketplace");
        var usage = await _api.GetJsonAsync("/v1/metrics/usage");
        var outbox = await _api.GetJsonAsync("/v1/admin/outbox");
        await page.GotoAsync("/");
        await ShotAsync(page, "overview");

        Assert.That(subscriptions["subscribers"]!.AsArray(), Is.Not.Empty, "the story left subscribers");
        foreach (var row in subscriptions["subscribers"]!.AsArray())
        {
            Assert.That(await ValueAsync(page, $"subscribers.{row.Str("plan")}.{row.Str("status")}"), Is.EqualTo(row.Long("count")));
        }

        Assert.That(subscriptions["mrr_history"]!.AsArray(), Has.Count.EqualTo(12));
        foreach (var m in subscriptions["mrr"]!.AsArray())
        {
            Assert.That(await ValueAsync(page, $"mrr.{m.Str("currency")}"), Is.EqualTo(m.Long("amount")));
            Assert.That(await page.Locator($"[data-metric='mrr.{m.Str("currency")}']").InnerTextAsync(), Is.EqualTo(Format.Money(m.Long("amount"), m.Str("currency"))));
        }

        foreach (var point in subscriptions["mrr_history"]!.AsArray())
        {
            foreach (var m in point!["mrr"]!.AsArray())
            {
                Assert.That(await ValueAsync(page, $"mrr_history.{point.Str("month")}.{m.Str("currency")}"), Is.EqualTo(m.Long("amount")));
            }
        }

        Assert.That(await page.Locator("svg[role=img] polyline").CountAsync(), Is.GreaterThan(0), "the MRR chart is drawn");
        Assert.That(await ValueAsync(page, "users_in_grace"), Is.EqualTo(subscriptions.Long("users_in_grace")));
        Assert.That(await ValueAsync(page, "failed_payments_last_7_days"), Is.EqualTo(subscriptions.Long("failed_payments_last_seven_days")));
        Assert.That(await ValueAsync(page, "referrals.converted"), Is.EqualTo(referrals.Long("converted")));
        Assert.That(referrals.Long("converted"), Is.GreaterThan(0), "the story converted a referral");
        Assert.That(await ValueAsync(page, "referrals.captured"), Is.EqualTo(referrals.Long("captured")));
        foreach (var t in marketplace["totals"]!.AsArray())
        {
            Assert.That(await ValueAsync(page, $"marketplace.gross.{t.Str("currency")}"), Is.EqualTo(t.Long("gross")));
            Assert.That(await ValueAsync(page, $"marketplace.payable.{t.Str("currency")}"), Is.EqualTo(t.Long("payable")));
        }

        foreach (var t in usage["totals"]!.AsArray())
        {
            Assert.That(await ValueAsync(page, $"usage.subtotal.{t.Str("currency")}"), Is.EqualTo(t.Long("subtotal")));
            Assert.That(await ValueAsync(page, $"usage.amount_due.{t.Str("currency")}"), Is.EqualTo(t.Long("amount_due")));
        }

        foreach (var o in outbox["data"]!.AsArray())
        {
            Assert.That(await ValueAsync(page, $"outbox.{o.Str("module")}.pending"), Is.EqualTo(o.Long("pending")));
            Assert.That(await ValueAsync(page, $"outbox.{o.Str("module")}.dead_lettered"), Is.EqualTo(o.Long("dead_lettered")));
        }
    }

    [TestCase(Story.UserA)]
    [TestCase(Story.UserB)]
    [Order(3)]
    public async Task User_page_shows_the_numbers_the_API_gives(string userId)
    {
        var (context, page) = await SignedInAsync(MonetizationFactory.AdminKey);
        await using var _ = context;
        await page.GotoAsync("/");
        await page.GetByLabel("Open a user by id").FillAsync(userId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Open user" }).ClickAsync();
        Assert.That(new Uri(page.Url).AbsolutePath, Is.EqualTo("/users/" + userId));
        await ShotAsync(page, "user-" + userId);

        var subscription = await _api.GetJsonAsync($"/v1/subscriptions/{userId}");
        Assert.That(await TextAsync(page, "subscription.status"), Is.EqualTo(subscription.Str("status")));
        Assert.That(await TextAsync(page, "subscription.plan"), Is.EqualTo(subscription.Str("plan")));
        Assert.That(await TextAsync(page, "access.tier"), Is.EqualTo(subscription["access"].Str("tier")));
        Assert.That(await TextAsync(page, "access.reason"), Is.EqualTo(subscription["access"].Str("reason")));
        var until = subscription["access"]!["until"]?.GetValue<DateTimeOffset>();
        Assert.That(await TextAsync(page, "access.until"), Is.EqualTo(Format.Time(until)));

        var consumption = await _api.GetJsonAsync($"/v1/usage/{userId}/consumption");
        foreach (var meter in consumption["meters"]!.AsArray())
        {
            Assert.That(await ValueAsync(page, $"consumption.{meter.Str("meter")}.used"), Is.EqualTo(meter.Long("used")));
            Assert.That(await page.Locator($"[data-meter='{meter.Str("meter")}'] svg[role=img]").CountAsync(), Is.EqualTo(1), "a bar per meter");
        }

        Assert.That(await ValueAsync(page, "consumption.total_cost"), Is.EqualTo(consumption.Long("total_cost")));
        var credits = await _api.GetJsonAsync($"/v1/usage/{userId}/credits");
        Assert.That(await ValueAsync(page, "credits.balance"), Is.EqualTo(credits.Long("balance")));
        var ledger = await _api.GetJsonAsync($"/v1/referrals/{userId}/credits?limit=100");
        Assert.That(await ValueAsync(page, "access_credits.days_remaining"), Is.EqualTo(ledger.Long("credit_days_remaining")));
        var invoices = await _api.GetJsonAsync($"/v1/usage/{userId}/invoices");
        foreach (var invoice in invoices["data"]!.AsArray())
        {
            Assert.That(await ValueAsync(page, $"invoice.{invoice.Str("number")}.subtotal"), Is.EqualTo(invoice.Long("subtotal")));
            Assert.That(await ValueAsync(page, $"invoice.{invoice.Str("number")}.amount_due"), Is.EqualTo(invoice.Long("amount_due")));
        }

        var installs = await _api.GetJsonAsync($"/v1/marketplace/users/{userId}/installs?status=all");
        foreach (var install in installs["data"]!.AsArray())
        {
            Assert.That(await page.Locator("#installs ~ .table-wrap").First.InnerTextAsync(), Does.Contain(install.Str("install_id")));
        }
    }

    [Test]
    [Order(4)]
    public async Task Stripe_events_filter_by_type_and_status_and_show_the_payload()
    {
        var (context, page) = await SignedInAsync(MonetizationFactory.AdminKey);
        await using var _ = context;
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Stripe events" }).ClickAsync();
        await page.GetByLabel("Type").FillAsync("invoice.paid");
        await page.GetByLabel("Status").SelectOptionAsync("processed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await ShotAsync(page, "stripe-events");

        var list = await _api.GetJsonAsync("/v1/stripe_events?type=invoice.paid&status=processed");
        var ids = list["data"]!.AsArray().Select(e => e.Str("id")).ToList();
        Assert.That(ids, Is.Not.Empty, "the story's invoices were paid");
        var rows = await page.Locator("tr[data-event]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.event)");
        Assert.That(rows, Is.EqualTo(ids), "the page lists what the API lists, in its order");

        await page.GetByRole(AriaRole.Link, new() { Name = ids[0], Exact = true }).ClickAsync();
        await ShotAsync(page, "stripe-event");
        var stored = await _api.GetJsonAsync($"/v1/stripe_events/{ids[0]}");
        Assert.That(await TextAsync(page, "stripe_event.status"), Is.EqualTo(stored.Str("status")));
        var payload = JsonNode.Parse(await page.Locator("pre code").InnerTextAsync());
        Assert.That(payload.Str("id"), Is.EqualTo(ids[0]));
        Assert.That(JsonNode.DeepEquals(payload, JsonNode.Parse(stored.Str("payload"))), Is.True, "the payload as Stripe sent it");
        Assert.That(await page.GetByRole(AriaRole.Button, new() { Name = "Replay event" }).CountAsync(), Is.Zero, "a processed event is not replayed (409 in the API)");

        await page.GotoAsync("/stripe-events?status=bogus");
        var problem = await _api.GetAsync("/v1/stripe_events?status=bogus");
        Assert.That((int)problem.StatusCode, Is.EqualTo(422));
        await AssertSameProblemAsync(page, await problem.Content.ReadAsStringAsync());
    }

    [Test]
    [Order(5)]
    public async Task Marketplace_page_shows_the_numbers_the_API_gives()
    {
        var (context, page) = await SignedInAsync(MonetizationFactory.AdminKey);
        await using var _ = context;
        var metrics = await _api.GetJsonAsync("/v1/metrics/marketplace");
        var period = metrics.Str("period");
        var earlier = metrics["developers"]!.AsArray().Count > 0 ? period : period;
        await page.GotoAsync("/marketplace?period=" + earlier);
        await ShotAsync(page, "marketplace");
        foreach (var t in metrics["totals"]!.AsArray())
        {
            foreach (var field in new[] { "gross", "refunded", "developer_share", "platform_share", "paid", "payable", "pending" })
            {
                Assert.That(await ValueAsync(page, $"totals.{field}.{t.Str("currency")}"), Is.EqualTo(t.Long(field)), field);
            }
        }

        var developer = metrics["developers"]!.AsArray().Single(d => d.Str("id") == Story.Developer);
        Assert.That(developer.Str("onboarding"), Is.EqualTo("complete"), "the story's developer finished onboarding");
        Assert.That(await TextAsync(page, $"developer.{Story.Developer}.onboarding"), Is.EqualTo("complete"));
        foreach (var b in developer!["balance"]!.AsArray())
        {
            Assert.That(await ValueAsync(page, $"developer.{Story.Developer}.balance.{b.Str("currency")}"), Is.EqualTo(b.Long("amount")));
        }

        foreach (var debt in metrics["carried_debts"]!.AsArray())
        {
            Assert.That(await ValueAsync(page, $"debt.{debt.Str("developer_id")}.{debt.Str("currency")}"), Is.EqualTo(debt.Long("amount")));
        }

        var payouts = await _api.GetJsonAsync("/v1/marketplace/payouts?limit=100");
        Assert.That(payouts["data"]!.AsArray(), Is.Not.Empty, "the story paid the developer out");
        foreach (var payout in payouts["data"]!.AsArray())
        {
            Assert.That(await ValueAsync(page, $"payout.{payout.Str("id")}.amount"), Is.EqualTo(payout.Long("amount")));
            if (payout.StrOrNull("transfer_id") is { } transfer)
            {
                Assert.That(await page.Locator($"tr[data-payout='{payout.Str("id")}']").InnerTextAsync(), Does.Contain(transfer));
            }
        }

        var plugins = await _api.GetJsonAsync("/v1/marketplace/plugins?status=all&sort=name&limit=100");
        foreach (var plugin in plugins["data"]!.AsArray())
        {
            Assert.That(await ValueAsync(page, $"plugin.{plugin.Str("id")}.installs"), Is.EqualTo(plugin.Long("install_count")));
        }

        // Earnings of the story's first months: every period the API knows has a page.
        var previous = await _api.GetJsonAsync($"/v1/metrics/marketplace?period={metrics.Str("period")}");
        Assert.That(previous.Str("period"), Is.EqualTo(period));
        await page.GotoAsync("/marketplace?period=2026-13");
        var problem = await _api.GetAsync("/v1/metrics/marketplace?period=2026-13");
        await AssertSameProblemAsync(page, await problem.Content.ReadAsStringAsync());
    }

    [Test]
    [Order(6)]
    public async Task A_dead_letter_replayed_from_the_page_is_delivered()
    {
        // A free plugin installed while a consumer of PluginInstalled fails: after Outbox:MaxAttempts (3) it is dead-lettered.
        FlakyConsumer.Failing = true;
        var plugin = await (await _api.PostJsonAsync("/v1/marketplace/plugins", new { developer_id = Story.Developer, slug = "dead-letter-probe", name = "Dead letter probe", description = "Free", pricing = new { model = "free" } })).ReadJsonAsync(201);
        await (await _api.PostJsonAsync($"/v1/marketplace/plugins/{plugin.Str("id")}/installs", new { user_id = "user_probe" })).ReadJsonAsync(201);
        for (var i = 0; i < 5 && (await _api.GetJsonAsync("/v1/admin/dead_letters"))["data"]!.AsArray().Count == 0; i++)
        {
            await _host.Factory.DrainOutboxAsync();
            _host.Factory.Clock.Advance(TimeSpan.FromMinutes(30));
            await Task.Delay(300);
        }

        var dead = (await _api.GetJsonAsync("/v1/admin/dead_letters"))["data"]!.AsArray();
        Assert.That(dead, Has.Count.EqualTo(1), dead.ToJsonString());
        var row = $"{dead[0].Str("module")}/{dead[0].Long("sequence")}";
        var eventId = Guid.Parse(dead[0].Str("event_id"));
        FlakyConsumer.Failing = false;

        var (context, page) = await SignedInAsync(MonetizationFactory.AdminKey);
        await using var _ = context;
        await page.GotoAsync("/");
        Assert.That(await ValueAsync(page, $"outbox.{dead[0].Str("module")}.dead_lettered"), Is.EqualTo(1));
        await page.GetByRole(AriaRole.Link, new() { Name = "Dead letters" }).ClickAsync();
        await ShotAsync(page, "dead-letters");
        Assert.That(await page.Locator($"tr[data-dead-letter='{row}']").CountAsync(), Is.EqualTo(1));
        await page.GetByRole(AriaRole.Button, new() { Name = $"Replay {dead[0].Str("module")} row {dead[0].Long("sequence")}" }).ClickAsync();
        Assert.That(await page.GetByRole(AriaRole.Status).InnerTextAsync(), Does.Contain("Replayed " + row));

        await _host.Factory.DrainOutboxAsync();
        Assert.That(FlakyConsumer.Delivered, Does.Contain(eventId), "the replayed event reached the consumer that had failed");
        Assert.That((await _api.GetJsonAsync("/v1/admin/dead_letters"))["data"]!.AsArray(), Is.Empty);
        await page.ReloadAsync();
        Assert.That(await page.Locator($"tr[data-dead-letter='{row}']").CountAsync(), Is.Zero);
        await ShotAsync(page, "dead-letters-after-replay");

        // Replaying it again is a 404, as in the API.
        var again = await _api.PostAsync($"/v1/admin/dead_letters/{row}/replay", null);
        var response = await page.APIRequest.PostAsync($"/dead-letters/{row}/replay", new() { Form = FormOf(await CsrfAsync(page)), MaxRedirects = 0 });
        Assert.That(response.Status, Is.EqualTo((int)again.StatusCode).And.EqualTo(404));
    }

    [Test]
    [Order(7)]
    public async Task Bad_form_input_gets_the_errors_the_API_gives_and_changes_nothing()
    {
        var (context, page) = await SignedInAsync(MonetizationFactory.AdminKey);
        await using var _ = context;
        await page.GotoAsync($"/users/{Story.UserA}");
        var before = await _api.GetJsonAsync($"/v1/usage/{Story.UserA}/credits");
        await page.GetByLabel("Amount (minor units)").FillAsync("-5");
        await page.GetByLabel("Currency").FillAsync("eur");
        await page.GetByLabel("Reason").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Grant credits" }).ClickAsync();
        await ShotAsync(page, "user-bad-grant");
        var api = await _api.PostJsonAsync($"/v1/usage/{Story.UserA}/credits/grants", new { amount = -5, currency = "eur" });
        Assert.That((int)api.StatusCode, Is.EqualTo(422));
        await AssertSameProblemAsync(page, await api.Content.ReadAsStringAsync());
        Assert.That((await _api.GetJsonAsync($"/v1/usage/{Story.UserA}/credits")).ToJsonString(), Is.EqualTo(before.ToJsonString()), "nothing granted");

        // A good grant goes through and shows.
        await page.GetByLabel("Amount (minor units)").FillAsync("250");
        await page.GetByLabel("Currency").FillAsync(before.Str("currency"));
        await page.GetByLabel("Reason").FillAsync("goodwill");
        await page.GetByRole(AriaRole.Button, new() { Name = "Grant credits" }).ClickAsync();
        Assert.That(await page.GetByRole(AriaRole.Status).InnerTextAsync(), Does.Contain("Granted " + Format.Money(250, before.Str("currency"))));
        var after = await _api.GetJsonAsync($"/v1/usage/{Story.UserA}/credits");
        Assert.That(after.Long("balance"), Is.EqualTo(before.Long("balance") + 250));
        Assert.That(await ValueAsync(page, "credits.balance"), Is.EqualTo(after.Long("balance")));

        // A malformed user id is the API's 422.
        await page.GotoAsync("/users/bad%20id%20%21");
        var badUser = await _api.GetAsync("/v1/subscriptions/bad%20id%20%21");
        await AssertSameProblemAsync(page, await badUser.Content.ReadAsStringAsync());
    }

    [Test]
    [Order(8)]
    public async Task Cancel_a_subscription_from_the_page()
    {
        var (context, page) = await SignedInAsync(MonetizationFactory.AdminKey);
        await using var _ = context;
        var before = await _api.GetJsonAsync($"/v1/subscriptions/{Story.UserA}");
        Assert.That(before.Str("status"), Is.EqualTo("active"), before.ToJsonString());
        await page.GotoAsync($"/users/{Story.UserA}");
        await page.GetByLabel("at the end of the period").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel subscription" }).ClickAsync();
        Assert.That(await page.GetByRole(AriaRole.Status).InnerTextAsync(), Does.Contain("Cancellation at the period end requested"));
        await _host.Factory.SettleAsync();
        var after = await _api.GetJsonAsync($"/v1/subscriptions/{Story.UserA}");
        Assert.That(after.Bool("cancel_at_period_end"), Is.True, "Stripe's webhook confirmed the cancellation");
        await page.ReloadAsync();
        Assert.That(await TextAsync(page, "subscription.cancel_at_period_end"), Is.EqualTo("yes"));
        await ShotAsync(page, "user-cancelled");

        await page.GetByRole(AriaRole.Button, new() { Name = "Resume subscription" }).ClickAsync();
        await _host.Factory.SettleAsync();
        Assert.That((await _api.GetJsonAsync($"/v1/subscriptions/{Story.UserA}")).Bool("cancel_at_period_end"), Is.False, "resumed");
    }

    [Test]
    [Order(9)]
    public async Task A_read_key_sees_but_cannot_act()
    {
        var (context, page) = await SignedInAsync(MonetizationFactory.ReadKey);
        await using var _ = context;
        await page.GotoAsync($"/users/{Story.UserA}");
        Assert.That(await page.GetByRole(AriaRole.Button, new() { Name = "Cancel subscription" }).CountAsync(), Is.Zero);
        Assert.That(await page.GetByRole(AriaRole.Button, new() { Name = "Grant credits" }).CountAsync(), Is.Zero);
        await ShotAsync(page, "user-read-only");
        var post = await page.APIRequest.PostAsync($"/users/{Story.UserA}/cancel", new() { Form = FormOf(await CsrfAsync(page), ("at_period_end", "false")), MaxRedirects = 0 });
        Assert.That(post.Status, Is.EqualTo(403));
        var events = await page.GotoAsync("/stripe-events");
        Assert.That(events!.Status, Is.EqualTo(403), "admin-only like GET /v1/stripe_events");
        Assert.That((await _api.GetJsonAsync($"/v1/subscriptions/{Story.UserA}")).Str("status"), Is.EqualTo("active"), "nothing changed");
    }

    [Test]
    [Order(10)]
    public async Task Forms_without_the_antiforgery_token_are_refused_and_the_cookie_is_locked_down()
    {
        var (context, page) = await SignedInAsync(MonetizationFactory.AdminKey);
        await using var _ = context;
        var cookie = (await context.CookiesAsync()).Single(c => c.Name == DashboardOperator.CookieName);
        Assert.That(cookie.HttpOnly, Is.True);
        Assert.That(cookie.SameSite, Is.EqualTo(SameSiteAttribute.Strict));
        Assert.That(cookie.Secure, Is.True, "Secure outside Development (the test Host runs as Testing)");
        Assert.That(cookie.Value, Does.Not.Contain(MonetizationFactory.AdminKey));

        var post = await page.APIRequest.PostAsync($"/users/{Story.UserA}/cancel", new() { Form = FormOf(null, ("at_period_end", "false")), MaxRedirects = 0 });
        Assert.That(post.Status, Is.EqualTo(400));
        Assert.That((await _api.GetJsonAsync($"/v1/subscriptions/{Story.UserA}")).Str("status"), Is.EqualTo("active"), "nothing changed");
    }

    [Test]
    [Order(12)]
    public async Task Webhook_deliveries_show_what_the_API_gives_and_a_retry_from_the_page_is_delivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerNext(500);
        var endpoint = (await (await _api.PostJsonAsync("/v1/webhook_endpoints", new { url = receiver.Url, event_types = new[] { "credits.low_balance", "referral.credit_granted" }, description = "support desk" })).ReadJsonAsync(201))["endpoint"]!.Str("id");
        await (await _api.PostJsonAsync($"/v1/referrals/{Story.UserB}/credits/grants", new { days = 2, reason = "webhook probe" })).ReadJsonAsync(201);
        await _host.Factory.DrainOutboxAsync();
        JsonNode delivery = null!;
        for (var i = 0; i < 100; i++)
        {
            delivery = (await _api.GetJsonAsync($"/v1/webhook_endpoints/{endpoint}/deliveries"))["data"]!.AsArray().Single()!;
            if (delivery.Long("attempts") > 0)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.That((delivery.Str("status"), delivery.Long("attempts"), delivery.Long("last_status_code")), Is.EqualTo(("pending", 1L, 500L)), delivery.ToJsonString());

        var (context, page) = await SignedInAsync(MonetizationFactory.AdminKey);
        await using var _ = context;
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Webhooks" }).ClickAsync();
        await ShotAsync(page, "webhooks");
        var row = page.Locator($"tr[data-delivery='{delivery.Str("id")}']");
        Assert.That(await row.GetAttributeAsync("data-status"), Is.EqualTo("pending"));
        Assert.That(await ValueAsync(page, $"delivery.{delivery.Str("id")}.attempts"), Is.EqualTo(delivery.Long("attempts")));
        Assert.That(await row.InnerTextAsync(), Does.Contain("500").And.Contain("referral.credit_granted"));

        await page.GetByRole(AriaRole.Button, new() { Name = $"Retry {delivery.Str("id")}" }).ClickAsync();
        Assert.That(await page.GetByRole(AriaRole.Status).InnerTextAsync(), Does.Contain("Retrying " + delivery.Str("id")));
        for (var i = 0; i < 100 && (await _api.GetJsonAsync($"/v1/webhook_endpoints/{endpoint}/deliveries"))["data"]![0]!.Str("status") != "delivered"; i++)
        {
            await Task.Delay(100);
        }

        var delivered = (await _api.GetJsonAsync($"/v1/webhook_endpoints/{endpoint}/deliveries"))["data"]![0]!;
        Assert.That((delivered.Str("status"), delivered.Long("attempts")), Is.EqualTo(("delivered", 2L)));
        Assert.That(receiver.Received.Select(r => r.Id).Distinct().Count(), Is.EqualTo(1), "the retry carried the same webhook-id");
        await page.ReloadAsync();
        Assert.That(await page.Locator($"tr[data-delivery='{delivery.Str("id")}']").GetAttributeAsync("data-status"), Is.EqualTo("delivered"));
        await ShotAsync(page, "webhooks-after-retry");

        // A read key sees no webhooks, as in the API.
        var (readContext, readPage) = await SignedInAsync(MonetizationFactory.ReadKey);
        await using var __ = readContext;
        var denied = await readPage.GotoAsync("/webhooks");
        using var api = _host.Factory.CreateReadClient();
        using var apiDenied = await api.GetAsync("/v1/webhook_endpoints");
        Assert.That(denied!.Status, Is.EqualTo((int)apiDenied.StatusCode).And.EqualTo(403));
        await (await _api.DeleteAsync($"/v1/webhook_endpoints/{endpoint}")).ReadJsonAsync();
    }

    [Test]
    [Order(11)]
    public async Task Pages_work_at_phone_width_and_with_the_keyboard()
    {
        var context = await _host.NewContextAsync(390, 844);
        await using var _ = context;
        var page = await context.NewPageAsync();
        await SignInAsync(page, MonetizationFactory.AdminKey);
        foreach (var (path, name) in new[] { ("/", "overview"), ($"/users/{Story.UserB}", "user"), ("/stripe-events", "stripe-events"), ("/dead-letters", "dead-letters"), ("/marketplace", "marketplace"), ("/webhooks", "webhooks") })
        {
            await page.GotoAsync(path);
            await ShotAsync(page, "phone-" + name);
            var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1");
            Assert.That(overflow, Is.False, $"{path} fits a phone's width (wide tables scroll inside their own box)");
            var unlabelled = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('input:not([type=hidden]), select')].filter(e => e.labels.length === 0).map(e => e.name)");
            Assert.That(unlabelled, Is.Empty, $"{path}: every field has a label");
            Assert.That(await page.Locator("h1").CountAsync(), Is.EqualTo(1), $"{path}: one main heading");
        }

        await page.GotoAsync("/");
        await page.Keyboard.PressAsync("Tab");
        Assert.That(await page.EvaluateAsync<string>("() => document.activeElement.textContent"), Is.EqualTo("Skip to content"));
        await page.Keyboard.PressAsync("Enter");
        for (var i = 0; i < 2; i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        var focused = await page.EvaluateAsync<string>("() => document.activeElement.id || document.activeElement.textContent");
        Assert.That(focused, Is.EqualTo("find-user").Or.EqualTo("Open user"), "the keyboard reaches the page's first form");
    }

    private async Task<(IBrowserContext Context, IPage Page)> SignedInAsync(string key)
    {
        var context = await _host.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, key);
        return (context, page);
    }

    private static async Task SignInAsync(IPage page, string key)
    {
        await page.GotoAsync("/signin");
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        Assert.That(new Uri(page.Url).AbsolutePath, Is.EqualTo("/"), await page.ContentAsync());
    }

    private static async Task<long> ValueAsync(IPage page, string metric)
    {
        var element = page.Locator($"[data-metric='{metric}']").First;
        Assert.That(await element.CountAsync(), Is.EqualTo(1), $"the page shows {metric}");
        return long.Parse((await element.GetAttributeAsync("data-value"))!, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<string> TextAsync(IPage page, string metric) =>
        (await page.Locator($"[data-metric='{metric}']").First.InnerTextAsync()).Trim();

    private static async Task<string> CsrfAsync(IPage page) =>
        (await page.Locator("input[name=__csrf]").First.GetAttributeAsync("value"))!;

    private static IFormData FormOf(string? csrf, params (string Name, string Value)[] fields)
    {
        var form = _formFactory.CreateFormData();
        if (csrf is not null)
        {
            form.Set(DashboardEndpoints.CsrfField, csrf);
        }

        foreach (var (name, value) in fields)
        {
            form.Set(name, value);
        }

        return form;
    }

    /// <summary>The page shows the API's problem: same status, title, detail, and the same messages per field.</summary>
    private static async Task AssertSameProblemAsync(IPage page, string apiProblem)
    {
        var problem = JsonNode.Parse(apiProblem)!;
        var box = page.Locator(".problem");
        Assert.That(await box.GetAttributeAsync("data-status"), Is.EqualTo(problem.Long("status").ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(await box.Locator("h2").InnerTextAsync(), Is.EqualTo($"{problem.Long("status")} {problem.Str("title")}"));
        if (problem["detail"] is { } detail)
        {
            Assert.That(await box.Locator(".problem-detail").InnerTextAsync(), Is.EqualTo(detail.GetValue<string>()));
        }

        var expected = (problem["errors"] as JsonObject ?? []).SelectMany(e => e.Value!.AsArray().Select(m => $"{e.Key}: {m!.GetValue<string>()}")).Order().ToList();
        var shown = (await box.Locator("li[data-field]").AllInnerTextsAsync()).Select(t => t.Trim()).Order().ToList();
        Assert.That(shown, Is.EqualTo(expected));
    }

    private static async Task ShotAsync(IPage page, string name)
    {
        var directory = Path.Combine(TestContext.CurrentContext.WorkDirectory, "dashboard-screenshots");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, name);
    }
}
