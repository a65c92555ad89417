using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Monetization.TestKit;

namespace Monetization.Marketplace.Tests;

/// <summary>
/// Issue 20's properties, through the whole Host with the Stripe emulator as the peer: for random token usage (inside and
/// outside usage-priced plugins), random prepaid credits and random plugin prices (flat, or per input/output token), a
/// month's usage invoice satisfies, to the minor unit:
/// <list type="bullet">
/// <item>invoice total = credits applied + amount charged (what Stripe collected), and the total is the sum of its lines;</item>
/// <item>each plugin line is priced at the plugin's own price, rounded once half away from zero (checked against an
/// independent big-integer computation), other usage at the model's price;</item>
/// <item>developer share + platform share = the plugin lines' paid amount: one revenue event per paid plugin line, its
/// shares summing to it, the developer's part rounded down.</item>
/// </list>
/// </summary>
public sealed class UsagePricingPropertyTests
{
    /// <summary>A plugin's price: minor units per 1,000 tokens, as decimal strings (input/output null = flat).</summary>
    public sealed record PluginPrice(string UnitAmountDecimal, string? Input, string? Output);

    /// <summary>One usage event: tokens of a plugin (index into the scenario's plugins) or of no plugin (-1).</summary>
    public sealed record Usage(int Plugin, long InputTokens, long OutputTokens);

    /// <summary>A user: their usage and the credits granted before invoicing (minor units).</summary>
    public sealed record Customer(IReadOnlyList<Usage> Events, long Credits);

    /// <summary>A scenario.</summary>
    public sealed record Scenario(int RevenueShareBps, IReadOnlyList<PluginPrice> Plugins, IReadOnlyList<Customer> Customers);

    private static Gen<string> Price =>
        from whole in Gen.Choose(0, 400)
        from fraction in Gen.Choose(0, 999_999)
        from digits in Gen.Elements(0, 2, 4, 6)
        let text = digits == 0 ? whole.ToString(CultureInfo.InvariantCulture) : $"{whole}.{(fraction % (int)Math.Pow(10, digits)).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0')}"
        where decimal.Parse(text, CultureInfo.InvariantCulture) > 0
        select text;

    private static Gen<Scenario> Scenarios =>
        from bps in Gen.Choose(0, 10_000)
        from pluginCount in Gen.Choose(1, 2)
        from plugins in Gen.ListOf(
            from flat in Price
            from split in Gen.Elements(true, false)
            from input in Price
            from output in Price
            select split ? new PluginPrice(flat, input, output) : new PluginPrice(flat, null, null), pluginCount)
        from customerCount in Gen.Choose(1, 2)
        from customers in Gen.ListOf(
            from eventCount in Gen.Choose(1, 4)
            from events in Gen.ListOf(
                from plugin in Gen.Choose(-1, pluginCount - 1)
                from input in Gen.Choose(0, 3_000_000)
                from output in Gen.Choose(0, 800_000)
                select new Usage(plugin, input, output), eventCount)
            from credits in Gen.OneOf(Gen.Constant(0), Gen.Choose(1, 3_000))
            select new Customer(events.ToList(), credits), customerCount)
        select new Scenario(bps, plugins.ToList(), customers.ToList());

    [Test]
    public void Invoice_total_is_credits_plus_charge_and_revenue_shares_sum_to_the_paid_plugin_lines()
    {
        var property = Prop.ForAll(Scenarios.ToArbitrary(), scenario => RunAsync(scenario).GetAwaiter().GetResult());
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(4).WithQuietOnSuccess(true), property);
    }

    private static async Task RunAsync(Scenario scenario)
    {
        await using var h = new MarketplaceHarness(f => f.WithSetting("Usage:InvoiceJob:Enabled", "false"));
        await h.RegisterDeveloperAsync("dev_1", scenario.RevenueShareBps);
        var pluginIds = new List<string>();
        for (var i = 0; i < scenario.Plugins.Count; i++)
        {
            var p = scenario.Plugins[i];
            object pricing = p.Input is null
                ? new { model = "usage", unit = "tokens", unit_amount_decimal = p.UnitAmountDecimal, currency = "usd" }
                : new { model = "usage", unit = "tokens", unit_amount_decimal = p.UnitAmountDecimal, input_unit_amount_decimal = p.Input, output_unit_amount_decimal = p.Output, currency = "usd" };
            pluginIds.Add(await h.PublishPluginAsync($"agent-{i}", pricing));
        }

        var period = h.Factory.Now.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        for (var c = 0; c < scenario.Customers.Count; c++)
        {
            var user = $"user_{c}";
            var customer = scenario.Customers[c];
            await h.SubscribeAsync(user);
            if (customer.Credits > 0)
            {
                using var grant = await h.Admin.PostJsonAsync($"/v1/usage/{user}/credits/grants", new { amount = customer.Credits, currency = "usd", reason = "property" });
                await grant.ReadJsonAsync(201);
            }

            var events = customer.Events.Select((e, n) => (object)new
            {
                event_id = $"{user}-{n}",
                user_id = user,
                meter = "tokens",
                timestamp = h.Factory.Now,
                properties = e.Plugin < 0
                    ? (object)new { model = "gpt-4o", input_tokens = e.InputTokens, output_tokens = e.OutputTokens }
                    : new { model = "gpt-4o", input_tokens = e.InputTokens, output_tokens = e.OutputTokens, plugin_id = pluginIds[e.Plugin] },
            }).ToList();
            using var ingest = await h.Admin.PostJsonAsync("/v1/usage/events", new { events });
            await ingest.ReadJsonAsync(202);
        }

        await h.SettleAsync();
        h.Clock.Advance(TimeSpan.FromDays(31));
        using (var run = await h.Admin.PostJsonAsync("/v1/usage/invoices", new { period }))
        {
            await run.ReadJsonAsync();
        }

        await h.SettleAsync();
        var revenue = (await h.Read.GetJsonAsync("/v1/marketplace/developers/dev_1/revenue_events?limit=100"))["data"]!.AsArray()
            .Where(e => e!["kind"]!.GetValue<string>() == "usage").ToDictionary(e => e!["source_id"]!.GetValue<string>(), e => e!);
        long pluginLinesPaid = 0;
        for (var c = 0; c < scenario.Customers.Count; c++)
        {
            var customer = scenario.Customers[c];
            var invoices = (await h.Read.GetJsonAsync($"/v1/usage/user_{c}/invoices"))["data"]!.AsArray();
            var expectedLines = ExpectedLines(scenario, customer, pluginIds);
            if (expectedLines.Values.Sum() == 0)
            {
                Assert.That(invoices, Is.Empty);
                continue;
            }

            var invoice = invoices.Single()!;
            var lines = invoice["lines"]!.AsArray();
            var subtotal = invoice.Long("subtotal");
            var credits = invoice.Long("credits_applied");
            var due = invoice.Long("amount_due");
            Assert.That(subtotal, Is.EqualTo(lines.Sum(l => l!.Long("amount"))), "the total is the sum of the lines");
            Assert.That(subtotal, Is.EqualTo(credits + due), "total = credits applied + amount charged");
            Assert.That(credits, Is.EqualTo(Math.Min(customer.Credits, subtotal)), "credits are spent first");
            Assert.That(invoice.Str("status"), Is.EqualTo("paid"));
            var charged = due == 0 ? 0 : (await h.StripeGetAsync($"invoices/{invoice.Str("stripe_invoice_id")}")).Long("amount_paid");
            Assert.That(charged, Is.EqualTo(due), "Stripe collected exactly the amount due");

            foreach (var line in lines)
            {
                var plugin = line!["plugin_id"]?.GetValue<string>();
                var key = plugin ?? "";
                Assert.That(line.Long("amount"), Is.EqualTo(expectedLines[key]), $"line of {(plugin ?? "no plugin")}");
                Assert.That(line.Str("price_source"), Is.EqualTo(plugin is null ? "model" : scenario.Plugins[pluginIds.IndexOf(plugin)].Input is null ? "plugin" : "plugin_tokens"));
                if (plugin is null || line.Long("amount") == 0)
                {
                    continue;
                }

                pluginLinesPaid += line.Long("amount");
                var evt = revenue[$"usage:{line.Str("line_id")}"];
                var gross = evt.Long("gross");
                Assert.That(gross, Is.EqualTo(line.Long("amount")), "the revenue event is the paid line");
                Assert.That(evt.Long("developer_share") + evt.Long("platform_share"), Is.EqualTo(gross), "developer + platform = paid amount");
                Assert.That(evt.Long("developer_share"), Is.EqualTo(gross * scenario.RevenueShareBps / 10_000), "the developer's part rounded down");
            }
        }

        Assert.That(revenue.Values.Sum(e => e.Long("developer_share") + e.Long("platform_share")), Is.EqualTo(pluginLinesPaid),
            "developer share + platform share = the plugin lines' paid amount");
    }

    /// <summary>
    /// The expected amount per plugin id ("" = no plugin), computed with big integers, independently of the product's
    /// decimal code: plugin lines (Σ input × input price + Σ output × output price) / 1,000, model lines at the default model
    /// price (1.00 / 2.00 USD per million = 100 / 200 cents per million), each rounded once, half away from zero.
    /// </summary>
    private static Dictionary<string, long> ExpectedLines(Scenario scenario, Customer customer, List<string> pluginIds)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in customer.Events.GroupBy(e => e.Plugin))
        {
            var input = group.Sum(e => e.InputTokens);
            var output = group.Sum(e => e.OutputTokens);
            BigInteger numerator;
            BigInteger denominator;
            if (group.Key < 0)
            {
                numerator = (BigInteger)input * 100 + (BigInteger)output * 200;
                denominator = 1_000_000;
            }
            else
            {
                var p = scenario.Plugins[group.Key];
                var (inPrice, outPrice) = p.Input is null ? (Scaled(p.UnitAmountDecimal), Scaled(p.UnitAmountDecimal)) : (Scaled(p.Input), Scaled(p.Output!));
                numerator = (BigInteger)input * inPrice + (BigInteger)output * outPrice;
                denominator = BigInteger.Pow(10, 12) * 1_000;
            }

            var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
            var amount = (long)(remainder * 2 >= denominator ? quotient + 1 : quotient);
            result[group.Key < 0 ? "" : pluginIds[group.Key]] = amount;
        }

        return result;
    }

    /// <summary>A decimal string × 10^12, exactly.</summary>
    private static BigInteger Scaled(string text)
    {
        var parts = text.Split('.');
        var fraction = parts.Length > 1 ? parts[1].PadRight(12, '0') : new string('0', 12);
        return BigInteger.Parse(parts[0], CultureInfo.InvariantCulture) * BigInteger.Pow(10, 12) + BigInteger.Parse(fraction, CultureInfo.InvariantCulture);
    }
}
