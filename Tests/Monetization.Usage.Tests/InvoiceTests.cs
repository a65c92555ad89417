using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Monetization.IntegrationEvents.Usage;
using Monetization.TestKit;
using Monetization.Usage.Jobs;
using static Monetization.Usage.Tests.UsageFactory;

namespace Monetization.Usage.Tests;

public sealed class InvoiceTests
{
    private static readonly DateTimeOffset October = new(2026, 10, 15, 12, 0, 0, TimeSpan.Zero);

    private static async Task<System.Text.Json.Nodes.JsonNode> RunAsync(UsageFactory f, string period = "2026-10")
    {
        using var response = await f.CreateAdminClient().PostJsonAsync("/v1/usage/invoices", new { period });
        return await response.ReadJsonAsync();
    }

    /// <summary>u1 used 1M input + 100k output gpt-4o tokens (350) and 2,000 input tokens through plg_x (1): 351 cents.</summary>
    private static async Task SeedOctoberAsync(UsageFactory f, string user = "u1")
    {
        await f.IngestAsync(
            Tokens($"{user}-a", user, "gpt-4o", 1_000_000, 100_000, October),
            Tokens($"{user}-b", user, "gpt-4o", 1_000, 0, October, plugin: "plg_x"),
            Tokens($"{user}-c", user, "gpt-4o", 1_000, 0, October, plugin: "plg_x"),
            Event($"{user}-call", user, "api_calls", 1, October));
    }

    [Test]
    public async Task Without_credits_the_usage_is_billed_on_one_Stripe_invoice_finalized_and_paid()
    {
        await using var f = new UsageFactory();
        await f.LinkCustomerAsync("u1", "cus_u1");
        await SeedOctoberAsync(f);
        var run = await RunAsync(f);

        Assert.That(run["invoices_created"]!.GetValue<int>(), Is.EqualTo(1));
        var invoice = run["invoices"]!.AsArray().Single()!;
        Assert.That(invoice["number"]!.GetValue<string>(), Is.EqualTo("INV-202610-0001"));
        Assert.That((invoice["subtotal"]!.GetValue<long>(), invoice["credits_applied"]!.GetValue<long>(), invoice["amount_due"]!.GetValue<long>()), Is.EqualTo((351L, 0L, 351L)));
        Assert.That(invoice["status"]!.GetValue<string>(), Is.EqualTo("paid"));
        var issued = (await f.OutboxEventsAsync<UsageInvoiceIssued>()).Single();
        Assert.That((issued.UsageInvoiceId, issued.Number, issued.UserId, issued.Period, issued.Subtotal, issued.AmountDue, issued.Currency),
            Is.EqualTo((invoice["usage_invoice_id"]!.GetValue<string>(), "INV-202610-0001", "u1", "2026-10", 351L, 351L, "usd")));

        var stripeInvoice = f.Stripe.CreatedInvoices.Values.Single();
        Assert.That(stripeInvoice.Request.Customer, Is.EqualTo("cus_u1"));
        Assert.That(stripeInvoice.Request.PendingInvoiceItemsBehavior, Is.EqualTo("exclude"));
        Assert.That(stripeInvoice.Items.Select(i => i.Amount), Is.EqualTo(new long?[] { 350, 1 }));
        Assert.That(stripeInvoice.Total, Is.EqualTo(351));
        Assert.That((stripeInvoice.Status, stripeInvoice.Payments), Is.EqualTo(("paid", 1)));

        var list = await f.CreateReadClient().GetJsonAsync("/v1/usage/u1/invoices");
        var listed = list["data"]!.AsArray().Single()!;
        Assert.That(listed["stripe_invoice_id"]!.GetValue<string>(), Is.EqualTo(stripeInvoice.Id));
        Assert.That(listed["lines"]!.AsArray().Select(l => (l!["model"]!.GetValue<string>(), l["plugin_id"]?.GetValue<string>(), l["amount"]!.GetValue<long>())),
            Is.EqualTo(new[] { ("gpt-4o", (string?)null, 350L), ("gpt-4o", "plg_x", 1L) }));
    }

    [Test]
    public async Task A_subscriber_is_invoiced_on_the_subscription_so_its_payment_method_is_charged()
    {
        await using var f = new UsageFactory();
        await f.SetPlanAsync("u1", "premium", 1, apiCalls: 3_000, tokens: 1_000_000, customer: "cus_sub");
        await SeedOctoberAsync(f);
        var invoice = (await RunAsync(f))["invoices"]!.AsArray().Single()!;
        Assert.That(invoice["status"]!.GetValue<string>(), Is.EqualTo("paid"));
        var request = f.Stripe.CreatedInvoices.Values.Single().Request;
        Assert.That((request.Customer, request.Subscription, request.CollectionMethod, request.AutoAdvance), Is.EqualTo(("cus_sub", "sub_1", "charge_automatically", (bool?)false)));
        Assert.That(request.Metadata!["usage_invoice_number"], Is.EqualTo("INV-202610-0001"));
    }

    [Test]
    public async Task Plugin_lines_publish_UsageCharged_for_the_developer_share()
    {
        await using var f = new UsageFactory();
        await f.LinkCustomerAsync("u1");
        await SeedOctoberAsync(f);
        var run = await RunAsync(f);
        var charged = (await f.OutboxEventsAsync<UsageCharged>()).Single();
        Assert.That((charged.UserId, charged.PluginId, charged.Period, charged.Quantity, charged.Amount, charged.Currency), Is.EqualTo(("u1", "plg_x", "2026-10", 2_000L, 1L, "usd")));
        Assert.That(charged.UsageInvoiceId, Is.EqualTo(run["invoices"]![0]!["usage_invoice_id"]!.GetValue<string>()));
        Assert.That(charged.ChargeId, Does.StartWith("uil_"));
        await RunAsync(f);
        Assert.That((await f.OutboxEventsAsync<UsageCharged>()).Count, Is.EqualTo(1));
    }

    [Test]
    public async Task Credits_are_spent_first_earliest_expiry_first_and_the_rest_is_billed()
    {
        await using var f = new UsageFactory();
        await f.LinkCustomerAsync("u1");
        await SeedOctoberAsync(f);
        var admin = f.CreateAdminClient();
        using (await admin.PostJsonAsync("/v1/usage/u1/credits/grants", new { amount = 100, currency = "usd", reason = "no expiry" }))
        using (await admin.PostJsonAsync("/v1/usage/u1/credits/grants", new { amount = 150, currency = "usd", reason = "late expiry", expires_at = f.Now.AddDays(60) }))
        using (await admin.PostJsonAsync("/v1/usage/u1/credits/grants", new { amount = 80, currency = "usd", reason = "early expiry", expires_at = f.Now.AddDays(5) }))
        {
        }

        var invoice = (await RunAsync(f))["invoices"]!.AsArray().Single()!;
        Assert.That((invoice["credits_applied"]!.GetValue<long>(), invoice["amount_due"]!.GetValue<long>(), invoice["status"]!.GetValue<string>()), Is.EqualTo((330L, 21L, "paid")));
        var wallet = await f.CreateReadClient().GetJsonAsync("/v1/usage/u1/credits");
        Assert.That(wallet["balance"]!.GetValue<long>(), Is.Zero);
        var spent = wallet["ledger"]!.AsArray().Where(e => e!["type"]!.GetValue<string>() == "consumption").Select(e => e!["amount"]!.GetValue<long>()).ToList();
        Assert.That(spent, Is.EquivalentTo(new[] { -80L, -150L, -100L }));
        var grants = wallet["grants"]!.AsArray().ToDictionary(g => g!["reason"]!.GetValue<string>(), g => g!["remaining"]!.GetValue<long>());
        Assert.That(grants.Values, Is.All.Zero);
        var items = f.Stripe.CreatedInvoices.Values.Single().Items;
        Assert.That(items.Select(i => i.Amount), Is.EqualTo(new long?[] { 350, 1, -330 }));
        Assert.That(items.Last().Description, Is.EqualTo("Prepaid credits applied"));
    }

    [Test]
    public async Task Credits_covering_the_whole_invoice_make_no_Stripe_call()
    {
        await using var f = new UsageFactory();
        await SeedOctoberAsync(f);
        using (await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/credits/grants", new { amount = 1_000, currency = "usd", reason = "big" }))
        {
        }

        var invoice = (await RunAsync(f))["invoices"]!.AsArray().Single()!;
        Assert.That((invoice["credits_applied"]!.GetValue<long>(), invoice["amount_due"]!.GetValue<long>(), invoice["status"]!.GetValue<string>()), Is.EqualTo((351L, 0L, "paid")));
        Assert.That(f.Stripe.Calls, Is.Empty);
        Assert.That((await f.CreateReadClient().GetJsonAsync("/v1/usage/u1/credits"))["balance"]!.GetValue<long>(), Is.EqualTo(649));
        Assert.That(await f.OutboxEventsAsync<CreditBalanceDropped>(), Is.Empty, "649 left is above Usage:LowCreditBalance (500)");
    }

    [Test]
    public async Task Spending_credits_below_the_low_balance_threshold_says_so_once()
    {
        await using var f = new UsageFactory();
        await SeedOctoberAsync(f);
        using (await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/credits/grants", new { amount = 600, currency = "usd", reason = "starter" }))
        {
        }

        var invoice = (await RunAsync(f))["invoices"]!.AsArray().Single()!;
        Assert.That((invoice["credits_applied"]!.GetValue<long>(), invoice["status"]!.GetValue<string>()), Is.EqualTo((351L, "paid")));
        var low = (await f.OutboxEventsAsync<CreditBalanceDropped>()).Single();
        Assert.That((low.UserId, low.Balance, low.Threshold, low.Currency), Is.EqualTo(("u1", 249L, 500L, "usd")));
    }

    [Test]
    public async Task Running_twice_bills_once_and_numbers_invoices_in_sequence()
    {
        await using var f = new UsageFactory();
        await f.LinkCustomerAsync("u1");
        await f.LinkCustomerAsync("u2", "cus_u2");
        await SeedOctoberAsync(f, "u1");
        await SeedOctoberAsync(f, "u2");
        await f.IngestAsync(Event("only-calls", "u3", "api_calls", 1, October));
        var first = await RunAsync(f);
        var second = await RunAsync(f);
        Assert.That((first["invoices_created"]!.GetValue<int>(), second["invoices_created"]!.GetValue<int>()), Is.EqualTo((2, 0)));
        Assert.That(second["invoices"]!.AsArray().Select(i => i!["number"]!.GetValue<string>()), Is.EqualTo(new[] { "INV-202610-0001", "INV-202610-0002" }));
        Assert.That(f.Stripe.CreatedInvoices.Count, Is.EqualTo(2));
        Assert.That(f.Stripe.CreatedInvoices.Values.Sum(i => i.Payments), Is.EqualTo(2));
        Assert.That(f.Stripe.Items.Count, Is.EqualTo(4));
    }

    [Test]
    public async Task A_Stripe_failure_leaves_the_invoice_pending_and_the_next_run_bills_it_once([Values("invoice", "item", "finalize", "pay")] string failing)
    {
        await using var f = new UsageFactory();
        await f.LinkCustomerAsync("u1");
        await SeedOctoberAsync(f);
        f.Stripe.FailNext.Enqueue(failing);
        var first = (await RunAsync(f))["invoices"]!.AsArray().Single()!;
        Assert.That(first["status"]!.GetValue<string>(), Is.EqualTo("pending"));
        Assert.That(first["last_error"]!.GetValue<string>(), Does.Contain("500"));

        var second = (await RunAsync(f))["invoices"]!.AsArray().Single()!;
        Assert.That(second["status"]!.GetValue<string>(), Is.EqualTo("paid"));
        Assert.That(second["last_error"], Is.Null);
        var stripeInvoice = f.Stripe.CreatedInvoices.Values.Single();
        Assert.That(stripeInvoice.Items.Count, Is.EqualTo(2), "items are not duplicated by the retry");
        Assert.That((stripeInvoice.Total, stripeInvoice.Payments), Is.EqualTo((351L, 1)));
    }

    [Test]
    public async Task A_declined_payment_is_payment_failed_until_an_admin_run_retries_it()
    {
        await using var f = new UsageFactory();
        await f.LinkCustomerAsync("u1");
        await SeedOctoberAsync(f);
        f.Stripe.DeclinePayments = 1;
        var first = (await RunAsync(f))["invoices"]!.AsArray().Single()!;
        Assert.That(first["status"]!.GetValue<string>(), Is.EqualTo("payment_failed"));
        var second = (await RunAsync(f))["invoices"]!.AsArray().Single()!;
        Assert.That(second["status"]!.GetValue<string>(), Is.EqualTo("paid"));
        Assert.That(f.Stripe.CreatedInvoices.Values.Single().Payments, Is.EqualTo(1));
    }

    [Test]
    public async Task Without_a_Stripe_customer_the_invoice_waits_and_is_billed_once_one_is_linked()
    {
        await using var f = new UsageFactory();
        await SeedOctoberAsync(f);
        var first = (await RunAsync(f))["invoices"]!.AsArray().Single()!;
        Assert.That(first["status"]!.GetValue<string>(), Is.EqualTo("awaiting_customer"));
        Assert.That(f.Stripe.Calls, Is.Empty);
        await f.LinkCustomerAsync("u1", "cus_late");
        var second = (await RunAsync(f))["invoices"]!.AsArray().Single()!;
        Assert.That(second["status"]!.GetValue<string>(), Is.EqualTo("paid"));
        Assert.That(f.Stripe.CreatedInvoices.Values.Single().Request.Customer, Is.EqualTo("cus_late"));
    }

    [Test]
    public async Task Only_a_closed_well_formed_period_can_be_invoiced()
    {
        await using var f = new UsageFactory();
        using var open = await f.CreateAdminClient().PostJsonAsync("/v1/usage/invoices", new { period = "2026-11" });
        await open.ShouldBeProblemAsync(422, field: "period");
        using var malformed = await f.CreateAdminClient().PostJsonAsync("/v1/usage/invoices", new { period = "2026-10-01" });
        await malformed.ShouldBeProblemAsync(422, field: "period");
        using var missing = await f.CreateAdminClient().PostJsonAsync("/v1/usage/invoices", new { });
        await missing.ShouldBeProblemAsync(422, field: "period");
        using var reader = await f.CreateReadClient().PostJsonAsync("/v1/usage/invoices", new { period = "2026-10" });
        Assert.That((int)reader.StatusCode, Is.EqualTo(403));
    }

    [Test]
    public async Task The_monthly_job_invoices_the_previous_month_once_it_is_closed_for_LateDays()
    {
        await using var f = new UsageFactory();
        await f.LinkCustomerAsync("u1");
        await SeedOctoberAsync(f);
        var job = f.Services.GetServices<IHostedService>().OfType<UsageInvoiceJob>().Single();

        await job.RunOnceAsync(CancellationToken.None);
        Assert.That((await f.CreateReadClient().GetJsonAsync("/v1/usage/u1/invoices"))["data"]!.AsArray(), Is.Empty, "2 November: October still takes late events");

        f.Clock.Advance(TimeSpan.FromDays(2));
        await job.RunOnceAsync(CancellationToken.None);
        await job.RunOnceAsync(CancellationToken.None);
        var invoices = (await f.CreateReadClient().GetJsonAsync("/v1/usage/u1/invoices"))["data"]!.AsArray();
        Assert.That(invoices.Single()!["status"]!.GetValue<string>(), Is.EqualTo("paid"));
        Assert.That(f.Stripe.CreatedInvoices.Count, Is.EqualTo(1));
    }
}
