using Monetization.TestKit;

namespace Monetization.Marketplace.Tests;

public sealed class PluginTests
{
    /// <summary>Prices in Stripe other than the subscription plans' (which Subscriptions creates with a <c>lookup_key</c>).</summary>
    private static async Task<List<System.Text.Json.Nodes.JsonNode>> PluginPricesAsync(MarketplaceHarness h) =>
        (await h.StripeListAsync("prices")).Where(p => p["lookup_key"] is null).ToList();

    [Test]
    public async Task Publishes_each_pricing_model_with_Stripe_product_and_price_for_paid_ones()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var free = await h.PublishPluginAsync("linter", new { model = "free" });
        var once = await h.PublishPluginAsync("themes", new { model = "one_time", amount = 1500, currency = "USD" });
        var monthly = await h.PublishPluginAsync("backup", new { model = "monthly", amount = 500, currency = "eur" });
        var usage = await h.PublishPluginAsync("ai-review", new { model = "usage", unit = "tokens", unit_amount_decimal = "0.250" });

        var f = await h.Read.GetJsonAsync($"/v1/marketplace/plugins/{free}");
        Assert.That(f["stripe_product_id"], Is.Null);
        Assert.That(f["pricing"]!.Str("model"), Is.EqualTo("free"));

        var o = await h.Read.GetJsonAsync($"/v1/marketplace/plugins/{once}");
        Assert.That(o["pricing"]!.Str("currency"), Is.EqualTo("usd"));
        Assert.That(o.Str("stripe_price_id"), Does.StartWith("price_"));

        var m = await h.Read.GetJsonAsync($"/v1/marketplace/plugins/{monthly}");
        Assert.That(m.Str("stripe_price_id"), Does.StartWith("price_"));

        var u = await h.Read.GetJsonAsync($"/v1/marketplace/plugins/{usage}");
        Assert.That(u["pricing"]!.Str("unit_amount_decimal"), Is.EqualTo("0.25"));
        Assert.That(u["pricing"]!.Str("currency"), Is.EqualTo("usd"));
        Assert.That(u.Str("stripe_product_id"), Does.StartWith("prod_"));

        // What Stripe holds: a price for each paid plugin (one-time, monthly, usage); none for the free one.
        Assert.That(await PluginPricesAsync(h), Has.Count.EqualTo(3));
        var usagePrice = await h.StripeGetAsync("prices/" + u.Str("stripe_price_id"));
        Assert.That(usagePrice.Str("unit_amount_decimal"), Is.EqualTo("0.25"), "0.25 minor units per package");
        Assert.That(usagePrice["transform_quantity"]!.Long("divide_by"), Is.EqualTo(1000), "a package is 1,000 tokens");
        Assert.That(usagePrice["transform_quantity"]!.Str("round"), Is.EqualTo("up"));
        Assert.That(usagePrice.Str("product"), Is.EqualTo(u.Str("stripe_product_id")));
        var oncePrice = await h.StripeGetAsync("prices/" + o.Str("stripe_price_id"));
        Assert.That(oncePrice.Str("currency"), Is.EqualTo("usd"));
        Assert.That(oncePrice.Long("unit_amount"), Is.EqualTo(1500));
        Assert.That(oncePrice["recurring"], Is.Null);
        Assert.That(oncePrice.Str("product"), Is.EqualTo(o.Str("stripe_product_id")));
        var monthlyPrice = await h.StripeGetAsync("prices/" + m.Str("stripe_price_id"));
        Assert.That(monthlyPrice.Str("currency"), Is.EqualTo("eur"));
        Assert.That(monthlyPrice["recurring"]!.Str("interval"), Is.EqualTo("month"));
        Assert.That((await h.StripeGetAsync("products/" + u.Str("stripe_product_id"))).Str("name"), Is.EqualTo("ai review"));
    }

    [TestCase("{\"model\":\"subscription\"}", "pricing.model")]
    [TestCase("{\"model\":\"one_time\",\"currency\":\"usd\"}", "pricing.amount")]
    [TestCase("{\"model\":\"one_time\",\"amount\":0,\"currency\":\"usd\"}", "pricing.amount")]
    [TestCase("{\"model\":\"monthly\",\"amount\":500,\"currency\":\"dollars\"}", "pricing.currency")]
    [TestCase("{\"model\":\"usage\",\"unit\":\"tokens\",\"unit_amount_decimal\":\"-1\"}", "pricing.unit_amount_decimal")]
    [TestCase("{\"model\":\"usage\",\"unit\":\"tokens\",\"unit_amount_decimal\":\"abc\"}", "pricing.unit_amount_decimal")]
    [TestCase("{\"model\":\"usage\",\"unit\":\"requests\",\"unit_amount_decimal\":\"1\"}", "pricing.unit")]
    [TestCase("{\"model\":\"free\",\"amount\":100}", "pricing.amount")]
    [TestCase("null", "pricing")]
    public async Task Bad_pricing_is_a_422_naming_the_field(string pricing, string field)
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var body = $"{{\"developer_id\":\"dev_1\",\"slug\":\"x\",\"name\":\"X\",\"pricing\":{pricing}}}";
        using var response = await h.Admin.PostJsonAsync("/v1/marketplace/plugins", body);
        await response.ShouldBeProblemAsync(422, field: field);
        Assert.That(await PluginPricesAsync(h), Is.Empty, "bad input reaches no Stripe call");
    }

    [Test]
    public async Task Bad_slug_unknown_developer_taken_slug_and_Stripe_down()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        using var badSlug = await h.Admin.PostJsonAsync("/v1/marketplace/plugins", new { developer_id = "dev_1", slug = "Bad Slug", name = "X", pricing = new { model = "free" } });
        await badSlug.ShouldBeProblemAsync(422, field: "slug");
        using var unknown = await h.Admin.PostJsonAsync("/v1/marketplace/plugins", new { developer_id = "ghost", slug = "x", name = "X", pricing = new { model = "free" } });
        await unknown.ShouldBeProblemAsync(422, field: "developer_id");

        await h.PublishPluginAsync("linter", new { model = "free" });
        using var taken = await h.Admin.PostJsonAsync("/v1/marketplace/plugins", new { developer_id = "dev_1", slug = "linter", name = "X", pricing = new { model = "free" } });
        await taken.ShouldBeProblemAsync(409, type: "slug_taken");

        await h.Factory.FailStripeAsync("/v1/products", MarketplaceHarness.AttemptsPerCall, 503);
        using var down = await h.Admin.PostJsonAsync("/v1/marketplace/plugins",
            new { developer_id = "dev_1", slug = "paid", name = "Paid", pricing = new { model = "one_time", amount = 100, currency = "usd" } });
        await down.ShouldBeStripeUnavailableAsync();
        var list = await h.Read.GetJsonAsync("/v1/marketplace/plugins");
        Assert.That(list["data"]!.AsArray(), Has.Count.EqualTo(1), "a failed publish saves nothing");
        Assert.That(await h.PublishPluginAsync("paid", new { model = "one_time", amount = 100, currency = "usd" }), Does.StartWith("plg_"), "the same slug publishes once Stripe is back");
    }

    [Test]
    public async Task Catalog_searches_filters_sorts_and_pages()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync("dev_1");
        await h.RegisterDeveloperAsync("dev_2");
        var alpha = await h.PublishPluginAsync("alpha-lint", new { model = "free" }, name: "Alpha Lint");
        var beta = await h.PublishPluginAsync("beta-format", new { model = "free" }, name: "Beta Format");
        var gamma = await h.PublishPluginAsync("gamma-lint", new { model = "monthly", amount = 300, currency = "usd" }, "dev_2", "Gamma Lint");
        await h.InstallAsync(beta, "u1");
        await h.InstallAsync(beta, "u2");
        await h.InstallAsync(alpha, "u1");

        var byInstalls = await h.Read.GetJsonAsync("/v1/marketplace/plugins");
        Assert.That(byInstalls["data"]!.AsArray().Select(p => p!.Str("id")), Is.EqualTo(new[] { beta, alpha, gamma }));
        Assert.That(byInstalls["data"]![0]!.Long("install_count"), Is.EqualTo(2));

        var byName = await h.Read.GetJsonAsync("/v1/marketplace/plugins?sort=name");
        Assert.That(byName["data"]!.AsArray().Select(p => p!.Str("id")), Is.EqualTo(new[] { alpha, beta, gamma }));

        var search = await h.Read.GetJsonAsync("/v1/marketplace/plugins?q=LINT&sort=name");
        Assert.That(search["data"]!.AsArray().Select(p => p!.Str("id")), Is.EqualTo(new[] { alpha, gamma }));
        var wildcard = await h.Read.GetJsonAsync("/v1/marketplace/plugins?q=%25");
        Assert.That(wildcard["data"]!.AsArray(), Is.Empty, "% is searched literally");

        var byDeveloper = await h.Read.GetJsonAsync("/v1/marketplace/plugins?developer_id=dev_2");
        Assert.That(byDeveloper["data"]!.AsArray().Select(p => p!.Str("id")), Is.EqualTo(new[] { gamma }));
        var byModel = await h.Read.GetJsonAsync("/v1/marketplace/plugins?model=free");
        Assert.That(byModel["data"]!.AsArray(), Has.Count.EqualTo(2));

        var page1 = await h.Read.GetJsonAsync("/v1/marketplace/plugins?limit=2");
        Assert.That(page1["has_more"]!.GetValue<bool>(), Is.True);
        var last = page1["data"]![1]!.Str("id");
        var page2 = await h.Read.GetJsonAsync($"/v1/marketplace/plugins?limit=2&starting_after={last}");
        Assert.That(page2["data"]!.AsArray().Select(p => p!.Str("id")), Is.EqualTo(new[] { gamma }));
        Assert.That(page2["has_more"]!.GetValue<bool>(), Is.False);

        var namePage = await h.Read.GetJsonAsync($"/v1/marketplace/plugins?sort=name&limit=1&starting_after={alpha}");
        Assert.That(namePage["data"]!.AsArray().Select(p => p!.Str("id")), Is.EqualTo(new[] { beta }));
    }

    [TestCase("sort=price", "sort")]
    [TestCase("limit=0", "limit")]
    [TestCase("limit=101", "limit")]
    [TestCase("limit=ten", "limit")]
    [TestCase("model=cheap", "model")]
    [TestCase("status=deleted", "status")]
    [TestCase("starting_after=plg_nope", "starting_after")]
    public async Task Bad_catalog_query_is_a_422(string query, string field)
    {
        await using var h = new MarketplaceHarness();
        using var response = await h.Read.GetAsync($"/v1/marketplace/plugins?{query}");
        await response.ShouldBeProblemAsync(422, field: field);
    }

    [Test]
    public async Task Price_change_when_Stripe_fails_is_a_503_and_changes_nothing()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var id = await h.PublishPluginAsync("backup", new { model = "monthly", amount = 500, currency = "usd" });
        var before = await h.Read.GetJsonAsync($"/v1/marketplace/plugins/{id}");

        await h.Factory.FailStripeAsync("/v1/prices", MarketplaceHarness.AttemptsPerCall, 503, method: "POST");
        using var down = await h.Admin.PatchJsonAsync($"/v1/marketplace/plugins/{id}", new { name = "Backup Pro", pricing = new { model = "monthly", amount = 700, currency = "usd" } });
        await down.ShouldBeStripeUnavailableAsync();
        var unchanged = await h.Read.GetJsonAsync($"/v1/marketplace/plugins/{id}");
        Assert.That(unchanged.Str("name"), Is.EqualTo(before.Str("name")), "nothing half-done: the name did not change either");
        Assert.That(unchanged["pricing"]!.Long("amount"), Is.EqualTo(500));
        Assert.That(unchanged.Str("stripe_price_id"), Is.EqualTo(before.Str("stripe_price_id")));
    }

    [Test]
    public async Task Patch_changes_name_and_price_but_not_the_model_and_archive_hides_and_blocks_installs()
    {
        await using var h = new MarketplaceHarness();
        await h.RegisterDeveloperAsync();
        var id = await h.PublishPluginAsync("backup", new { model = "monthly", amount = 500, currency = "usd" });
        var before = await h.Read.GetJsonAsync($"/v1/marketplace/plugins/{id}");

        using var patched = await h.Admin.PatchJsonAsync($"/v1/marketplace/plugins/{id}", new { name = "Backup Pro", pricing = new { model = "monthly", amount = 700, currency = "usd" } });
        var after = await patched.ReadJsonAsync(200);
        Assert.That(after.Str("name"), Is.EqualTo("Backup Pro"));
        Assert.That(after["pricing"]!.Long("amount"), Is.EqualTo(700));
        Assert.That(after.Str("stripe_price_id"), Is.Not.EqualTo(before.Str("stripe_price_id")));
        Assert.That(after.Str("stripe_product_id"), Is.EqualTo(before.Str("stripe_product_id")));

        using var modelChange = await h.Admin.PatchJsonAsync($"/v1/marketplace/plugins/{id}", new { pricing = new { model = "free" } });
        await modelChange.ShouldBeProblemAsync(409, type: "pricing_model_change");
        using var empty = await h.Admin.PatchJsonAsync($"/v1/marketplace/plugins/{id}", new { });
        await empty.ShouldBeProblemAsync(422);
        using var blankName = await h.Admin.PatchJsonAsync($"/v1/marketplace/plugins/{id}", new { name = "" });
        await blankName.ShouldBeProblemAsync(422, field: "name");
        using var missing = await h.Admin.PatchJsonAsync("/v1/marketplace/plugins/plg_missing", new { name = "X" });
        await missing.ShouldBeProblemAsync(404);

        using var archived = await h.Admin.PostAsync($"/v1/marketplace/plugins/{id}/archive", null);
        Assert.That((await archived.ReadJsonAsync(200)).Str("status"), Is.EqualTo("archived"));
        using var again = await h.Admin.PostAsync($"/v1/marketplace/plugins/{id}/archive", null);
        await again.ReadJsonAsync(200);
        Assert.That((await h.Read.GetJsonAsync("/v1/marketplace/plugins"))["data"]!.AsArray(), Is.Empty);
        Assert.That((await h.Read.GetJsonAsync("/v1/marketplace/plugins?status=archived"))["data"]!.AsArray(), Has.Count.EqualTo(1));

        using var install = await h.Admin.PostJsonAsync($"/v1/marketplace/plugins/{id}/installs", new { user_id = "u1" });
        await install.ShouldBeProblemAsync(409, type: "plugin_archived");
        using var patchArchived = await h.Admin.PatchJsonAsync($"/v1/marketplace/plugins/{id}", new { name = "X" });
        await patchArchived.ShouldBeProblemAsync(409, type: "plugin_archived");
        using var archiveMissing = await h.Admin.PostAsync("/v1/marketplace/plugins/plg_missing/archive", null);
        await archiveMissing.ShouldBeProblemAsync(404);
    }
}
