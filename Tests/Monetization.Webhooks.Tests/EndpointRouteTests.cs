using System.Net;
using Monetization.TestKit;

namespace Monetization.Webhooks.Tests;

/// <summary>The endpoint routes: admin only, the secret shown once, every bad field named, and nothing changed by a refusal.</summary>
public sealed class EndpointRouteTests
{
    [Test]
    public async Task An_endpoint_is_created_read_listed_changed_rotated_and_deleted()
    {
        await using var f = WebhooksTestKit.NewFactory();
        using var admin = f.CreateAdminClient();
        using var created = await admin.PostJsonAsync("/v1/webhook_endpoints", new { url = "http://127.0.0.1:9/a", event_types = new[] { "access.changed", "payment.failed" }, description = "billing" });
        var body = await created.ReadJsonAsync(201);
        var id = body["endpoint"]!["id"]!.GetValue<string>();
        Assert.That(body["secret"]!.GetValue<string>(), Does.StartWith("whsec_"));
        Assert.That(body["endpoint"]!["event_types"]!.AsArray().Select(t => t!.GetValue<string>()), Is.EqualTo(new[] { "access.changed", "payment.failed" }));

        var one = await admin.GetJsonAsync($"/v1/webhook_endpoints/{id}");
        Assert.That(one.ToJsonString(), Does.Not.Contain("whsec_"), "the secret is shown only once");
        Assert.That((one["enabled"]!.GetValue<bool>(), one["object"]!.GetValue<string>()), Is.EqualTo((true, "webhook_endpoint")));

        using (await admin.PostJsonAsync("/v1/webhook_endpoints", new { url = "http://127.0.0.1:9/b", event_types = new[] { "*" } }))
        {
        }

        var all = (await admin.GetJsonAsync("/v1/webhook_endpoints"))["data"]!.AsArray().Select(e => e!["id"]!.GetValue<string>()).ToList();
        Assert.That(all, Has.Count.EqualTo(2).And.Contains(id));
        var first = await admin.GetJsonAsync("/v1/webhook_endpoints?limit=1");
        Assert.That((first["data"]![0]!["id"]!.GetValue<string>(), first["has_more"]!.GetValue<bool>()), Is.EqualTo((all[0], true)));
        var second = await admin.GetJsonAsync($"/v1/webhook_endpoints?limit=1&starting_after={all[0]}");
        Assert.That((second["data"]![0]!["id"]!.GetValue<string>(), second["has_more"]!.GetValue<bool>()), Is.EqualTo((all[1], false)));

        using var patched = await admin.PatchJsonAsync($"/v1/webhook_endpoints/{id}", new { enabled = false, event_types = new[] { "*" } });
        var after = await patched.ReadJsonAsync();
        Assert.That((after["enabled"]!.GetValue<bool>(), after["disabled_reason"]!.GetValue<string>()), Is.EqualTo((false, "Disabled by an operator.")));
        using var enabled = await admin.PatchJsonAsync($"/v1/webhook_endpoints/{id}", new { enabled = true });
        Assert.That((await enabled.ReadJsonAsync())["disabled_reason"], Is.Null);

        using var rotated = await admin.PostAsync($"/v1/webhook_endpoints/{id}/rotate_secret", null);
        var rotation = await rotated.ReadJsonAsync();
        Assert.That(rotation["secret"]!.GetValue<string>(), Is.Not.EqualTo(body["secret"]!.GetValue<string>()));
        Assert.That(rotation["previous_secret_expires_at"]!.GetValue<DateTimeOffset>(), Is.EqualTo(f.Now.AddHours(24)));

        using var deleted = await admin.DeleteAsync($"/v1/webhook_endpoints/{id}");
        Assert.That((await deleted.ReadJsonAsync())["deleted"]!.GetValue<bool>(), Is.True);
        using var gone = await admin.GetAsync($"/v1/webhook_endpoints/{id}");
        await gone.ShouldBeProblemAsync(404);
    }

    [Test]
    public async Task Bad_input_names_the_field_and_creates_nothing()
    {
        await using var f = WebhooksTestKit.NewFactory();
        using var admin = f.CreateAdminClient();
        using (var noUrl = await admin.PostJsonAsync("/v1/webhook_endpoints", new { event_types = new[] { "*" } }))
        {
            await noUrl.ShouldBeProblemAsync(422, "url");
        }

        using (var badType = await admin.PostJsonAsync("/v1/webhook_endpoints", new { url = "http://127.0.0.1:9/a", event_types = new[] { "access.changed", "invoice.paid" } }))
        {
            var problem = await badType.ShouldBeProblemAsync(422, "event_types");
            Assert.That(problem.ToJsonString(), Does.Contain("invoice.paid"));
        }

        using (var noTypes = await admin.PostJsonAsync("/v1/webhook_endpoints", new { url = "http://127.0.0.1:9/a", event_types = Array.Empty<string>() }))
        {
            await noTypes.ShouldBeProblemAsync(422, "event_types");
        }

        using (var longDescription = await admin.PostJsonAsync("/v1/webhook_endpoints", new { url = "http://127.0.0.1:9/a", event_types = new[] { "*" }, description = new string('x', 501) }))
        {
            await longDescription.ShouldBeProblemAsync(422, "description");
        }

        using (var notJson = await admin.PostAsync("/v1/webhook_endpoints", new StringContent("{", System.Text.Encoding.UTF8, "application/json")))
        {
            await notJson.ShouldBeProblemAsync(400);
        }

        using (var emptyPatch = await admin.PatchJsonAsync("/v1/webhook_endpoints/we_missing", new { }))
        {
            await emptyPatch.ShouldBeProblemAsync(422, "body");
        }

        using (var unknown = await admin.PatchJsonAsync("/v1/webhook_endpoints/we_missing", new { enabled = true }))
        {
            await unknown.ShouldBeProblemAsync(404);
        }

        Assert.That((await admin.GetJsonAsync("/v1/webhook_endpoints"))["data"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task Outside_development_only_public_https_targets_are_accepted()
    {
        await using var f = new MonetizationFactory();
        _ = f.Server; // Testing environment, default Webhooks settings
        using var admin = f.CreateAdminClient();
        using (var http = await admin.PostJsonAsync("/v1/webhook_endpoints", new { url = "http://hooks.example.com/a", event_types = new[] { "*" } }))
        {
            Assert.That((await http.ShouldBeProblemAsync(422, "url")).ToJsonString(), Does.Contain("https"));
        }

        using (var loopback = await admin.PostJsonAsync("/v1/webhook_endpoints", new { url = "https://127.0.0.1/a", event_types = new[] { "*" } }))
        {
            await loopback.ShouldBeProblemAsync(422, "url");
        }

        using (var metadata = await admin.PostJsonAsync("/v1/webhook_endpoints", new { url = "https://169.254.169.254/latest", event_types = new[] { "*" } }))
        {
            await metadata.ShouldBeProblemAsync(422, "url");
        }

        using var ok = await admin.PostJsonAsync("/v1/webhook_endpoints", new { url = "https://hooks.example.com/a", event_types = new[] { "*" } });
        await ok.ReadJsonAsync(201);
    }

    [Test]
    public async Task Only_admin_keys_see_or_change_endpoints()
    {
        await using var f = WebhooksTestKit.NewFactory();
        using var read = f.CreateReadClient();
        using (var list = await read.GetAsync("/v1/webhook_endpoints"))
        {
            Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }

        using var create = await read.PostJsonAsync("/v1/webhook_endpoints", new { url = "http://127.0.0.1:9/a", event_types = new[] { "*" } });
        Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using var anonymous = f.CreateAnonymousClient();
        using var none = await anonymous.GetAsync("/v1/webhook_endpoints");
        Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
