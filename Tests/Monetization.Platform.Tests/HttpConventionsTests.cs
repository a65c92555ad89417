using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Monetization.TestKit;

namespace Monetization.Platform.Tests;

public sealed class HttpConventionsTests
{
    private MonetizationFactory _factory = null!;

    [OneTimeSetUp]
    public void Start() => _factory = new MonetizationFactory();

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    [Test]
    public async Task Health_live_and_ready_answer_without_a_key()
    {
        using var client = _factory.CreateAnonymousClient();
        Assert.That((await client.GetJsonAsync("/health/live"))["status"]!.GetValue<string>(), Is.EqualTo("live"));
        var ready = await client.GetJsonAsync("/health/ready");
        Assert.That(ready["status"]!.GetValue<string>(), Is.EqualTo("ready"));
        Assert.That(ready["modules"]!.AsObject().Select(p => p.Key), Is.SupersetOf(new[] { "Subscriptions", "Referrals", "Marketplace", "Usage" }));
    }

    [Test]
    public async Task Each_module_declares_its_routes_once_through_Carter_and_each_is_described()
    {
        _ = _factory.Server;
        var modules = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a.GetName().Name is "Monetization.Subscriptions" or "Monetization.Usage" or "Monetization.Referrals" or "Monetization.Marketplace" or "Monetization.Webhooks")
            .SelectMany(a => a.GetTypes())
            .Where(t => !t.IsAbstract && typeof(Carter.ICarterModule).IsAssignableFrom(t))
            .ToList();
        Assert.That(modules, Has.Count.EqualTo(5), "one Carter module per business module");

        var endpoints = _factory.Services.GetServices<Microsoft.AspNetCore.Routing.EndpointDataSource>()
            .SelectMany(source => source.Endpoints)
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Monetization.BuildingBlocks.Http.ApiScopeMetadata>() is not null)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {System.Text.RegularExpressions.Regex.Replace(e.RoutePattern.RawText ?? "", @"\{(\w+):[^}]+\}", "{$1}")}"))
            .ToList();
        Assert.That(endpoints, Is.Unique, "AddRoutes ran once: no route is mapped twice");
        var described = _factory.Services.GetRequiredService<Monetization.BuildingBlocks.Http.ApiCatalog>().All.Select(r => $"{r.Method} {r.Pattern}").ToList();
        Assert.That(endpoints, Is.SupersetOf(described), "every described route is mapped");

        using var client = _factory.CreateAnonymousClient();
        Assert.That((await client.GetJsonAsync("/v1/plans"))["data"]!.AsArray(), Is.Not.Empty);
        Assert.That((await client.GetJsonAsync("/v1/plans"))["data"]!.AsArray(), Is.Not.Empty, "the second request reaches the same endpoint");
    }

    [Test]
    public async Task OpenApi_document_describes_routes_and_the_docs_ui_is_served()
    {
        using var client = _factory.CreateAnonymousClient();
        var document = await client.GetJsonAsync("/openapi.json");
        Assert.That(document["openapi"]!.GetValue<string>(), Does.StartWith("3."));
        var paths = document["paths"]!.AsObject();
        Assert.That(paths.Select(p => p.Key), Does.Contain("/v1/admin/dead_letters"));
        Assert.That(paths["/v1/admin/dead_letters"]!["get"]!["x-scope"]!.GetValue<string>(), Is.EqualTo("admin"));
        using var docs = await client.GetAsync("/docs/index.html");
        Assert.That(docs.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await docs.Content.ReadAsStringAsync(), Does.Contain("swagger").IgnoreCase);
    }

    [Test]
    public async Task Missing_or_wrong_key_is_401_problem_and_read_key_cannot_mutate()
    {
        using var anonymous = _factory.CreateAnonymousClient();
        using (var response = await anonymous.GetAsync("/v1/admin/outbox"))
        {
            await response.ShouldBeProblemAsync(401, type: "unauthorized");
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
        }

        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "not-a-key");
        using (var response = await anonymous.GetAsync("/v1/admin/outbox"))
        {
            await response.ShouldBeProblemAsync(401);
        }

        using var reader = _factory.CreateReadClient();
        var stats = await reader.GetJsonAsync("/v1/admin/outbox");
        Assert.That(stats["data"]!.AsArray(), Has.Count.EqualTo(5));
        using (var response = await reader.GetAsync("/v1/admin/dead_letters"))
        {
            await response.ShouldBeProblemAsync(403, type: "forbidden");
        }

        using (var response = await reader.PostAsync("/v1/admin/dead_letters/usage/1/replay", null))
        {
            await response.ShouldBeProblemAsync(403);
        }
    }

    [Test]
    public async Task Unknown_route_is_a_404_problem()
    {
        using var admin = _factory.CreateAdminClient();
        using var response = await admin.GetAsync("/v1/nothing/here");
        await response.ShouldBeProblemAsync(404);
    }

    [Test]
    public async Task Oversized_body_is_413_problem()
    {
        using var admin = _factory.CreateAdminClient();
        var big = new string('x', 1024 * 1024 + 10);
        using var response = await admin.PostAsync("/v1/admin/dead_letters/usage/1/replay", new StringContent(big, Encoding.UTF8, "application/json"));
        await response.ShouldBeProblemAsync(413, type: "payload_too_large");
    }

    [Test]
    public async Task Idempotency_key_replays_the_first_answer_and_rejects_a_different_request()
    {
        using var admin = _factory.CreateAdminClient();
        var key = Guid.NewGuid().ToString();
        using var first = await admin.PostJsonAsync("/v1/admin/dead_letters/usage/42/replay", new { reason = "a" }, key);
        var firstBody = await first.ShouldBeProblemAsync(404);
        Assert.That(first.Headers.Contains("Idempotent-Replayed"), Is.False);

        using var second = await admin.PostJsonAsync("/v1/admin/dead_letters/usage/42/replay", new { reason = "a" }, key);
        var secondBody = await second.ShouldBeProblemAsync(404);
        Assert.That(second.Headers.GetValues("Idempotent-Replayed").Single(), Is.EqualTo("true"));
        Assert.That(secondBody.ToJsonString(), Is.EqualTo(firstBody.ToJsonString()));

        using var differentBody = await admin.PostJsonAsync("/v1/admin/dead_letters/usage/42/replay", new { reason = "b" }, key);
        await differentBody.ShouldBeProblemAsync(422, type: "idempotency_key_reused");

        using var differentPath = await admin.PostJsonAsync("/v1/admin/dead_letters/usage/43/replay", new { reason = "a" }, key);
        await differentPath.ShouldBeProblemAsync(422, type: "idempotency_key_reused");

        _factory.Clock.Advance(TimeSpan.FromHours(25));
        using var expired = await admin.PostJsonAsync("/v1/admin/dead_letters/usage/43/replay", new { reason = "b" }, key);
        await expired.ShouldBeProblemAsync(404);
        Assert.That(expired.Headers.Contains("Idempotent-Replayed"), Is.False, "after 24 h the key is free again");
    }
}
