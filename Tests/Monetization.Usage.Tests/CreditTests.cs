using Monetization.IntegrationEvents.Subscriptions;
using Monetization.TestKit;

namespace Monetization.Usage.Tests;

public sealed class CreditTests
{
    [Test]
    public async Task A_credit_package_checkout_is_a_payment_session_tagged_for_usage()
    {
        await using var f = new UsageFactory();
        using var response = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/credits/checkout", new { package = "medium" });
        var body = await response.ReadJsonAsync(201);
        Assert.That((body["package"]!.GetValue<string>(), body["amount"]!.GetValue<long>(), body["currency"]!.GetValue<string>()), Is.EqualTo(("medium", 1_000L, "usd")));
        Assert.That(body["session_id"]!.GetValue<string>(), Does.StartWith("cs_"));
        var sent = f.Stripe.Sessions.Single();
        Assert.That(sent.Mode, Is.EqualTo("payment"));
        Assert.That(sent.Customer, Is.Null, "no Stripe customer known yet");
        Assert.That(sent.CustomerCreation, Is.EqualTo("always"));
        Assert.That(sent.ClientReferenceId, Is.EqualTo("u1"));
        Assert.That(sent.Metadata!["purpose"], Is.EqualTo(CheckoutPurposes.UsageCredits));
        Assert.That(sent.Metadata!["user_id"], Is.EqualTo("u1"));
        Assert.That(sent.LineItems![0].PriceData!.UnitAmount, Is.EqualTo(1_000));
    }

    [Test]
    public async Task Bad_credit_requests_are_422_and_a_failing_Stripe_is_503()
    {
        await using var f = new UsageFactory();
        using var unknown = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/credits/checkout", new { package = "huge" });
        await unknown.ShouldBeProblemAsync(422, field: "package");
        using var none = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/credits/checkout", new { });
        await none.ShouldBeProblemAsync(422, field: "package");

        f.Stripe.FailNext.Enqueue("checkout");
        using var down = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/credits/checkout", new { package = "small" });
        await down.ShouldBeStripeUnavailableAsync();
        Assert.That(f.Stripe.Sessions, Is.Empty, "no session was made");

        using var zero = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/credits/grants", new { amount = 0, currency = "usd", reason = "x" });
        await zero.ShouldBeProblemAsync(422, field: "amount");
        using var euro = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/credits/grants", new { amount = 100, currency = "eur", reason = "x" });
        await euro.ShouldBeProblemAsync(422, field: "currency");
        using var past = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/credits/grants", new { amount = 100, currency = "usd", reason = "x", expires_at = f.Now.AddDays(-1) });
        await past.ShouldBeProblemAsync(422, field: "expires_at");
        using var reason = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/credits/grants", new { amount = 100, currency = "usd" });
        await reason.ShouldBeProblemAsync(422, field: "reason");
        var wallet = await f.CreateReadClient().GetJsonAsync("/v1/usage/u1/credits");
        Assert.That(wallet["ledger"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task A_completed_credit_checkout_grants_the_package_once()
    {
        await using var f = new UsageFactory();
        using var response = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/credits/checkout", new { package = "small" });
        var sessionId = (await response.ReadJsonAsync(201))["session_id"]!.GetValue<string>();
        var metadata = f.Stripe.Sessions.Single().Metadata!;
        var completed = new CheckoutCompleted(Guid.NewGuid(), f.Now, sessionId, "u1", "cus_new", CheckoutPurposes.UsageCredits, 500, "usd", "pi_1", metadata);
        await f.PublishAsync(completed);
        await f.PublishAsync(completed);
        await f.PublishAsync(completed with { EventId = Guid.NewGuid() });
        await f.PublishAsync(completed with { EventId = Guid.NewGuid(), CheckoutSessionId = "cs_other", Purpose = CheckoutPurposes.MarketplacePlugin });

        var wallet = await f.CreateReadClient().GetJsonAsync("/v1/usage/u1/credits");
        Assert.That(wallet["balance"]!.GetValue<long>(), Is.EqualTo(500));
        var grant = wallet["grants"]!.AsArray().Single()!;
        Assert.That((grant["source"]!.GetValue<string>(), grant["checkout_session_id"]!.GetValue<string>()), Is.EqualTo(("purchase", sessionId)));
        Assert.That(wallet["ledger"]!.AsArray().Select(e => (e!["type"]!.GetValue<string>(), e["amount"]!.GetValue<long>())), Is.EqualTo(new[] { ("grant", 500L) }));

        using var again = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/credits/checkout", new { package = "small" });
        await again.ReadJsonAsync(201);
        Assert.That(f.Stripe.Sessions.Last().Customer, Is.EqualTo("cus_new"), "the customer learnt from the completion is reused");
    }

    [Test]
    public async Task A_completion_Usage_did_not_record_is_fulfilled_from_consistent_metadata_only()
    {
        await using var f = new UsageFactory();
        var good = new Dictionary<string, string> { ["purpose"] = CheckoutPurposes.UsageCredits, ["user_id"] = "u2", ["package"] = "large" };
        await f.PublishAsync(new CheckoutCompleted(Guid.NewGuid(), f.Now, "cs_ext_1", "u2", null, CheckoutPurposes.UsageCredits, 5_000, "usd", null, good));
        await f.PublishAsync(new CheckoutCompleted(Guid.NewGuid(), f.Now, "cs_ext_2", "u2", null, CheckoutPurposes.UsageCredits, 1, "usd", null, good));
        var wallet = await f.CreateReadClient().GetJsonAsync("/v1/usage/u2/credits");
        Assert.That(wallet["balance"]!.GetValue<long>(), Is.EqualTo(5_000), "the session paid 1 cent for a 5,000 package is not fulfilled");
    }

    [Test]
    public async Task Admin_grants_expire_into_the_ledger()
    {
        await using var f = new UsageFactory();
        using (var grant = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/credits/grants", new { amount = 300, currency = "USD", reason = "goodwill", expires_at = f.Now.AddDays(10) }))
        {
            var body = await grant.ReadJsonAsync(201);
            Assert.That((body["amount"]!.GetValue<long>(), body["currency"]!.GetValue<string>()), Is.EqualTo((300L, "usd")));
            Assert.That(body["grant_id"]!.GetValue<string>(), Does.StartWith("cgr_"));
        }

        using (var forever = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/credits/grants", new { amount = 50, currency = "usd", reason = "beta" }))
        {
            await forever.ReadJsonAsync(201);
        }

        Assert.That((await f.CreateReadClient().GetJsonAsync("/v1/usage/u1/credits"))["balance"]!.GetValue<long>(), Is.EqualTo(350));
        f.Clock.Advance(TimeSpan.FromDays(11));
        var wallet = await f.CreateReadClient().GetJsonAsync("/v1/usage/u1/credits");
        Assert.That(wallet["balance"]!.GetValue<long>(), Is.EqualTo(50));
        var ledger = wallet["ledger"]!.AsArray().Select(e => (e!["type"]!.GetValue<string>(), e["amount"]!.GetValue<long>())).ToList();
        Assert.That(ledger, Is.EquivalentTo(new[] { ("grant", 300L), ("grant", 50L), ("expiry", -300L) }));
        Assert.That(ledger.Sum(e => e.Item2), Is.EqualTo(50), "the ledger sums to the balance");
        var again = await f.CreateReadClient().GetJsonAsync("/v1/usage/u1/credits");
        Assert.That(again["ledger"]!.AsArray().Count, Is.EqualTo(3), "an expiry is written once");
    }

    [Test]
    public async Task The_credit_ledger_is_paged_newest_first_and_the_wallet_embeds_the_newest_page()
    {
        await using var f = new UsageFactory();
        var admin = f.CreateAdminClient();
        for (var i = 1; i <= 23; i++)
        {
            using var grant = await admin.PostJsonAsync("/v1/usage/u1/credits/grants", new { amount = i, currency = "usd", reason = $"grant {i}" });
            await grant.ReadJsonAsync(201);
            f.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var read = f.CreateReadClient();
        var wallet = await read.GetJsonAsync("/v1/usage/u1/credits");
        Assert.That((wallet["ledger"]!.AsArray().Count, wallet["ledger_has_more"]!.GetValue<bool>()), Is.EqualTo((20, true)));
        Assert.That(wallet["balance"]!.GetValue<long>(), Is.EqualTo(23 * 24 / 2));

        var amounts = new List<long>();
        string? after = null;
        bool more;
        do
        {
            var page = await read.GetJsonAsync("/v1/usage/u1/credits/ledger?limit=10" + (after is null ? "" : $"&starting_after={after}"));
            var data = page["data"]!.AsArray();
            amounts.AddRange(data.Select(e => e!["amount"]!.GetValue<long>()));
            more = page["has_more"]!.GetValue<bool>();
            after = data[^1]!["entry_id"]!.GetValue<string>();
        }
        while (more);
        Assert.That(amounts, Is.EqualTo(Enumerable.Range(1, 23).Reverse().Select(i => (long)i)), "every entry once, newest first");
        Assert.That(amounts.Sum(), Is.EqualTo(wallet["balance"]!.GetValue<long>()), "the ledger sums to the balance");

        using (var limit = await read.GetAsync("/v1/usage/u1/credits/ledger?limit=101"))
        {
            await limit.ShouldBeProblemAsync(422, "limit");
        }

        using (var cursor = await read.GetAsync("/v1/usage/u1/credits/ledger?starting_after=cle_nope"))
        {
            await cursor.ShouldBeProblemAsync(422, "starting_after");
        }

        using var user = await read.GetAsync("/v1/usage/bad%20user/credits/ledger");
        await user.ShouldBeProblemAsync(422, "user_id");
    }

    [Test]
    public async Task The_wallet_embeds_the_newest_grants_and_the_grants_route_pages_through_all_of_them()
    {
        await using var f = new UsageFactory();
        using var admin = f.CreateAdminClient();
        for (var i = 1; i <= 25; i++)
        {
            using var granted = await admin.PostJsonAsync("/v1/usage/u1/credits/grants", new { amount = i, currency = "usd", reason = $"grant {i}" });
            await granted.ReadJsonAsync(201);
            f.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        using var reader = f.CreateReadClient();
        var wallet = await reader.GetJsonAsync("/v1/usage/u1/credits");
        Assert.That(wallet["balance"]!.GetValue<long>(), Is.EqualTo(25 * 26 / 2), "the balance counts every live grant, not only the embedded ones");
        var embedded = wallet["grants"]!.AsArray().Select(g => g!["amount"]!.GetValue<long>()).ToList();
        Assert.That(embedded, Is.EqualTo(Enumerable.Range(6, 20).Reverse().Select(i => (long)i)), "the newest 20, newest first");
        Assert.That(wallet["grants_has_more"]!.GetValue<bool>(), Is.True);

        var first = await reader.GetJsonAsync("/v1/usage/u1/credits/grants?limit=20");
        var last = first["data"]!.AsArray().Last()!["grant_id"]!.GetValue<string>();
        var second = await reader.GetJsonAsync($"/v1/usage/u1/credits/grants?limit=20&starting_after={last}");
        var all = first["data"]!.AsArray().Concat(second["data"]!.AsArray()).Select(g => g!["amount"]!.GetValue<long>()).ToList();
        Assert.That(all, Is.EqualTo(Enumerable.Range(1, 25).Reverse().Select(i => (long)i)));
        Assert.That((first["has_more"]!.GetValue<bool>(), second["has_more"]!.GetValue<bool>()), Is.EqualTo((true, false)));

        using var unknown = await reader.GetAsync("/v1/usage/u1/credits/grants?starting_after=cgr_nope");
        await unknown.ShouldBeProblemAsync(422, field: "starting_after");
        using var badLimit = await reader.GetAsync("/v1/usage/u1/credits/grants?limit=0");
        await badLimit.ShouldBeProblemAsync(422, field: "limit");
    }
}
