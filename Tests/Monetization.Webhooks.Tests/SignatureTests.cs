using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Tests;

/// <summary>Our signatures are the Standard Webhooks ones, so any of its libraries verifies them.</summary>
public sealed class SignatureTests
{
    // The specification's published test vector (standard-webhooks, reference libraries' tests).
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string MessageId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long Timestamp = 1614265330;
    private const string Body = "{\"test\": 2432232314}";

    [Test]
    public void The_specification_test_vector_signs_to_its_published_signature() =>
        Assert.That(StandardWebhookSignature.Sign(Secret, MessageId, Timestamp, Body), Is.EqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));

    [Test]
    public void The_secret_prefix_is_optional_as_in_the_reference_libraries() =>
        Assert.That(StandardWebhookSignature.Sign(Secret["whsec_".Length..], MessageId, Timestamp, Body), Is.EqualTo(StandardWebhookSignature.Sign(Secret, MessageId, Timestamp, Body)));

    [Test]
    public void During_a_rotation_the_header_carries_both_signatures_and_either_secret_verifies()
    {
        var next = StandardWebhookSignature.NewSecret();
        var header = StandardWebhookSignature.Header([next, Secret], MessageId, Timestamp, Body);
        Assert.That(header.Split(' '), Has.Length.EqualTo(2));
        Assert.That(StandardWebhookSignature.Verify(Secret, MessageId, Timestamp, Body, header), Is.True);
        Assert.That(StandardWebhookSignature.Verify(next, MessageId, Timestamp, Body, header), Is.True);
        Assert.That(StandardWebhookSignature.Verify(StandardWebhookSignature.NewSecret(), MessageId, Timestamp, Body, header), Is.False);
        Assert.That(StandardWebhookSignature.Verify(Secret, MessageId, Timestamp, Body + " ", header), Is.False, "a changed body does not verify");
    }

    [Test]
    public void New_secrets_are_whsec_and_32_random_bytes()
    {
        var a = StandardWebhookSignature.NewSecret();
        Assert.That(a, Does.StartWith("whsec_"));
        Assert.That(Convert.FromBase64String(a["whsec_".Length..]), Has.Length.EqualTo(32));
        Assert.That(StandardWebhookSignature.NewSecret(), Is.Not.EqualTo(a));
    }
}
