using Monetization.Referrals.Features.CaptureReferral;

namespace Monetization.Referrals.Tests;

/// <summary>The module's Mapster configuration (ADR 0003): strict, compiled, and the configured defaults right.</summary>
public sealed class MappingTests
{
    [Test]
    public void The_configuration_compiles_with_every_member_mapped() =>
        Assert.DoesNotThrow(() => ReferralsMapping.Config.Compile());

    [Test]
    public void A_capture_body_becomes_the_request_with_missing_fields_as_empty_text() =>
        Assert.That(new CaptureReferral.Body("u1", null).ToRequest(), Is.EqualTo(new CaptureReferral.Request("u1", "")));
}
