using Monetization.Webhooks.Domain;
using Monetization.Webhooks.Features.WebhookEndpoints;

namespace Monetization.Webhooks.Tests;

/// <summary>The module's Mapster configuration (ADR 0003): strict, compiled, and the stored type list shown as a list.</summary>
public sealed class MappingTests
{
    [Test]
    public void The_configuration_compiles_with_every_member_mapped() =>
        Assert.DoesNotThrow(() => WebhooksMapping.Config.Compile());

    [Test]
    public void An_endpoint_view_lists_its_types_and_never_its_secret()
    {
        var view = WebhookEndpointView.Of(new WebhookEndpoint { Id = "we_1", Url = "https://example.com/h", EventTypes = "access.changed payment.failed", Secret = "whsec_x" });
        Assert.That(view.EventTypes, Is.EqualTo(new[] { "access.changed", "payment.failed" }));
        Assert.That(typeof(WebhookEndpointView).GetProperties().Select(p => p.Name), Has.None.EqualTo("Secret").And.None.EqualTo("PreviousSecret"));
    }
}
