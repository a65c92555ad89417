using Monetization.IntegrationEvents.Subscriptions;
using Monetization.TestKit;

namespace Monetization.Usage.Tests;

public sealed class QuotaTests
{
    private static Task<HttpResponseMessage> AcquireAsync(UsageFactory f, string user, string resource, string key) =>
        f.CreateAdminClient().PostJsonAsync($"/v1/usage/{user}/quotas/{resource}/acquire", new { key });

    [Test]
    public async Task A_free_user_holds_one_project_and_gets_409_with_the_limit_and_a_hint_beyond()
    {
        await using var f = new UsageFactory();
        using (var first = await AcquireAsync(f, "u1", "projects", "p1"))
        {
            var body = await first.ReadJsonAsync();
            Assert.That((body["used"]!.GetValue<long>(), body["limit"]!.GetValue<long>(), body["already_held"]!.GetValue<bool>()), Is.EqualTo((1L, 1L, false)));
        }

        using (var again = await AcquireAsync(f, "u1", "projects", "p1"))
        {
            var body = await again.ReadJsonAsync();
            Assert.That((body["used"]!.GetValue<long>(), body["already_held"]!.GetValue<bool>()), Is.EqualTo((1L, true)), "idempotent by key");
        }

        using (var full = await AcquireAsync(f, "u1", "projects", "p2"))
        {
            var problem = await full.ShouldBeProblemAsync(409, type: "quota_exceeded");
            Assert.That(problem["limit"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(problem["upgrade_hint"]!.GetValue<string>(), Does.Contain("Upgrade"));
            Assert.That(problem["slot_checkout"]!.GetValue<string>(), Is.EqualTo("/v1/usage/u1/quotas/projects/slots/checkout"));
        }

        using (var release = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/quotas/projects/release", new { key = "p1" }))
        {
            Assert.That((await release.ReadJsonAsync())["released"]!.GetValue<bool>(), Is.True);
        }

        using (var releaseAgain = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/quotas/projects/release", new { key = "p1" }))
        {
            var body = await releaseAgain.ReadJsonAsync();
            Assert.That((body["released"]!.GetValue<bool>(), body["used"]!.GetValue<long>()), Is.EqualTo((false, 0L)));
        }

        using var next = await AcquireAsync(f, "u1", "projects", "p2");
        await next.ReadJsonAsync();
        var quotas = await f.CreateReadClient().GetJsonAsync("/v1/usage/u1/quotas");
        var projects = quotas["quotas"]!.AsArray().Single(q => q!["resource"]!.GetValue<string>() == "projects")!;
        Assert.That(projects["keys"]!.AsArray().Select(k => k!.GetValue<string>()), Is.EqualTo(new[] { "p2" }));
        Assert.That(quotas["quotas"]!.AsArray().Select(q => q!["resource"]!.GetValue<string>()), Is.EqualTo(new[] { "projects", "deploys" }));
    }

    [Test]
    public async Task Bad_quota_requests_are_422()
    {
        await using var f = new UsageFactory();
        using var resource = await AcquireAsync(f, "u1", "servers", "k");
        await resource.ShouldBeProblemAsync(422, field: "resource");
        using var key = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/quotas/deploys/acquire", new { });
        await key.ShouldBeProblemAsync(422, field: "key");
        using var release = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/quotas/deploys/release", new { key = new string('k', 201) });
        await release.ShouldBeProblemAsync(422, field: "key");
        using var slots = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/quotas/deploys/slots/checkout", new { quantity = 0 });
        await slots.ShouldBeProblemAsync(422, field: "quantity");
    }

    [Test]
    public async Task Slot_checkout_when_Stripe_fails_is_a_503_and_makes_no_session()
    {
        await using var f = new UsageFactory();
        await f.LinkCustomerAsync("u1", "cus_u1");
        f.Stripe.FailNext.Enqueue("checkout");
        using var down = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/quotas/deploys/slots/checkout", new { quantity = 2 });
        await down.ShouldBeStripeUnavailableAsync();
        Assert.That(f.Stripe.Sessions, Is.Empty, "no session was made");

        // Stripe is back: the same request makes one session.
        using var again = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/quotas/deploys/slots/checkout", new { quantity = 2 });
        Assert.That((await again.ReadJsonAsync(201))["amount"]!.GetValue<long>(), Is.EqualTo(2_000));
        Assert.That(f.Stripe.Sessions, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Concurrent_acquires_never_exceed_the_limit()
    {
        await using var f = new UsageFactory();
        await f.SetPlanAsync("u1", "premium", 1, apiCalls: 3_000, tokens: 1_000_000, projects: 5, deploys: 5);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
        {
            using var response = await AcquireAsync(f, "u1", "deploys", $"d{i}");
            return (int)response.StatusCode;
        }));
        Assert.That(statuses.Count(s => s == 200), Is.EqualTo(5));
        Assert.That(statuses.Count(s => s == 409), Is.EqualTo(19));
        var quotas = await f.CreateReadClient().GetJsonAsync("/v1/usage/u1/quotas");
        var deploys = quotas["quotas"]!.AsArray().Single(q => q!["resource"]!.GetValue<string>() == "deploys")!;
        Assert.That((deploys["used"]!.GetValue<long>(), deploys["limit"]!.GetValue<long>()), Is.EqualTo((5L, 5L)));
    }

    [Test]
    public async Task Bought_slots_add_to_the_limit_once_per_checkout()
    {
        await using var f = new UsageFactory();
        await f.LinkCustomerAsync("u1", "cus_u1");
        using var checkout = await f.CreateAdminClient().PostJsonAsync("/v1/usage/u1/quotas/deploys/slots/checkout", new { quantity = 2 });
        var session = await checkout.ReadJsonAsync(201);
        Assert.That(session["amount"]!.GetValue<long>(), Is.EqualTo(2_000));
        Assert.That(session["url"]!.GetValue<string>(), Does.StartWith("https://"));
        var sent = f.Stripe.Sessions.Single();
        Assert.That(sent.Mode, Is.EqualTo("payment"));
        Assert.That(sent.Customer, Is.EqualTo("cus_u1"));
        Assert.That(sent.ClientReferenceId, Is.EqualTo("u1"));
        Assert.That(sent.Metadata!["purpose"], Is.EqualTo(CheckoutPurposes.UsageSlots));
        Assert.That(sent.Metadata!["user_id"], Is.EqualTo("u1"));
        Assert.That((sent.LineItems![0].PriceData!.UnitAmount, sent.LineItems[0].Quantity), Is.EqualTo((1_000L, 2L)));

        var sessionId = session["session_id"]!.GetValue<string>();
        var completed = new CheckoutCompleted(Guid.NewGuid(), f.Now, sessionId, "u1", "cus_u1", CheckoutPurposes.UsageSlots, 2_000, "usd", "pi_1", sent.Metadata!);
        await f.PublishAsync(completed);
        await f.PublishAsync(completed);
        await f.PublishAsync(completed with { EventId = Guid.NewGuid() });

        for (var i = 0; i < 3; i++)
        {
            using var ok = await AcquireAsync(f, "u1", "deploys", $"d{i}");
            await ok.ReadJsonAsync();
        }

        using var full = await AcquireAsync(f, "u1", "deploys", "d3");
        var problem = await full.ShouldBeProblemAsync(409, type: "quota_exceeded");
        Assert.That((problem["limit"]!.GetValue<long>(), problem["extra_slots"]!.GetValue<long>()), Is.EqualTo((3L, 2L)));
    }
}
