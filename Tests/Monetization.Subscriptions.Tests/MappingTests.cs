using Monetization.Subscriptions.Features.StartCheckout;

namespace Monetization.Subscriptions.Tests;

/// <summary>The module's Mapster configuration (ADR 0003): strict, compiled, and the configured defaults right.</summary>
public sealed class MappingTests
{
    [Test]
    public void The_configuration_compiles_with_every_member_mapped() =>
        Assert.DoesNotThrow(() => SubscriptionsMapping.Config.Compile());

    [Test]
    public void A_checkout_body_becomes_the_request_with_missing_required_fields_as_empty_text()
    {
        var request = new StartCheckout.Body(null, "a@example.com", null, "monthly", "https://app.example/ok", null, true).ToRequest();
        Assert.That(request, Is.EqualTo(new StartCheckout.Request("", "a@example.com", "", "monthly", "https://app.example/ok", null, true)));
    }
}
