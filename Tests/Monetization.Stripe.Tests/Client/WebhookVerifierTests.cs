using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Monetization.Stripe.Tests.Client;

[TestFixture]
public sealed class WebhookVerifierTests
{
    private const string Secret = "whsec_test_5a1b2c3d4e5f60718293a4b5c6d7e8f9";

    public static IEnumerable<TestCaseData> SignatureCases()
    {
        var file = SharedStripeData.StripeDir is { } dir ? Path.Combine(dir, "samples", "signatures.json") : null;
        if (file is null || !File.Exists(file))
        {
            yield return new TestCaseData(null).SetName("signatures.json absent");
            yield break;
        }

        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            yield return new TestCaseData(c.Clone()).SetName("signature case: " + c.GetProperty("name").GetString());
        }
    }

    private static StripeWebhookVerifier Verifier(IEnumerable<string> secrets, int tolerance, DateTimeOffset now) =>
        new(Options.Create(new StripeOptions { WebhookSecrets = secrets.ToList(), WebhookToleranceSeconds = tolerance }), new FakeTimeProvider(now));

    [Test]
    public void SignatureCasesFileHasThirtyCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(SharedStripeData.PathTo("samples", "signatures.json")));
        Assert.That(doc.RootElement.GetProperty("cases").GetArrayLength(), Is.EqualTo(30));
    }

    [TestCaseSource(nameof(SignatureCases))]
    public void SignatureCaseMatchesExpectedOutcome(JsonElement? testCase)
    {
        if (testCase is not { } c)
        {
            SharedStripeData.RequireStripeDir();
            return;
        }

        var body = File.ReadAllBytes(Path.Combine(SharedStripeData.RequireStripeDir(), "samples", c.GetProperty("payload_file").GetString()!));
        var verifier = Verifier(
            [c.GetProperty("secret").GetString()!],
            c.GetProperty("tolerance").GetInt32(),
            DateTimeOffset.FromUnixTimeSeconds(c.GetProperty("verify_at").GetInt64()));
        var header = c.GetProperty("header").GetString();

        if (c.GetProperty("expected").GetString() == "valid")
        {
            var evt = verifier.Verify(body, header);
            using var json = JsonDocument.Parse(body);
            Assert.That(evt.Id, Is.EqualTo(json.RootElement.GetProperty("id").GetString()));
        }
        else
        {
            var ex = Assert.Throws<StripeSignatureVerificationException>(() => verifier.Verify(body, header));
            Assert.That(ex!.Message, Is.Not.Empty);
        }
    }

    [Test]
    public void SignedEventsVerifyWithTheirHeadersAndFilesAreUnchanged()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(SharedStripeData.PathTo("samples", "signatures.json")));
        var events = doc.RootElement.GetProperty("signed_events").EnumerateArray().ToList();
        Assert.That(events, Has.Count.EqualTo(15));
        foreach (var e in events)
        {
            var body = File.ReadAllBytes(Path.Combine(SharedStripeData.RequireStripeDir(), "samples", e.GetProperty("payload_file").GetString()!));
            Assert.That(Convert.ToHexStringLower(SHA256.HashData(body)), Is.EqualTo(e.GetProperty("sha256").GetString()),
                $"{e.GetProperty("payload_file")} was modified (reformatted, CRLF or final newline); signatures no longer apply.");
            var t = e.GetProperty("timestamp").GetInt64();
            var verifier = Verifier([Secret], 300, DateTimeOffset.FromUnixTimeSeconds(t + 10));
            var evt = verifier.Verify(body, e.GetProperty("header").GetString());
            Assert.That(evt.Type, Is.Not.Empty);
            Assert.That(StripeWebhookSigner.ComputeSignatureHeader(body, Secret, DateTimeOffset.FromUnixTimeSeconds(t)),
                Is.EqualTo(e.GetProperty("header").GetString()), "our signer reproduces stripe-node's header");
        }
    }

    [Test]
    public void MinimalCaseSignedPayloadIsHandCheckable()
    {
        var body = File.ReadAllBytes(SharedStripeData.PathTo("samples", "signature-payloads", "minimal.json"));
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes("1785751200." + Encoding.UTF8.GetString(body))));
        Assert.That(StripeWebhookSigner.ComputeSignature(body, Secret, 1785751200), Is.EqualTo(expected).And.EqualTo("fac1154ac545dab0882509a812facbdf325cb8b610866278a3bc3b46f361e428"));
    }

    [Test]
    public void TimestampTooFarInTheFutureIsRejected()
    {
        var body = """{"id":"evt_1","object":"event","type":"x","created":1,"data":{"object":{}}}"""u8.ToArray();
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var header = StripeWebhookSigner.ComputeSignatureHeader(body, Secret, now.AddSeconds(301));
        var ex = Assert.Throws<StripeSignatureVerificationException>(() => Verifier([Secret], 300, now).Verify(body, header));
        Assert.That(ex!.Reason, Is.EqualTo(StripeSignatureFailureReason.TimestampOutsideTolerance));

        var ok = StripeWebhookSigner.ComputeSignatureHeader(body, Secret, now.AddSeconds(300));
        Assert.That(Verifier([Secret], 300, now).Verify(body, ok).Id, Is.EqualTo("evt_1"));
    }

    [Test]
    public void AnyConfiguredSecretIsTriedDuringRotation()
    {
        var body = """{"id":"evt_2","object":"event","type":"x","created":1,"data":{"object":{}}}"""u8.ToArray();
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var header = StripeWebhookSigner.ComputeSignatureHeader(body, "whsec_new", now);
        var evt = Verifier(["whsec_old", "whsec_new"], 300, now).Verify(body, header);
        Assert.That(evt.Id, Is.EqualTo("evt_2"));
    }

    [TestCase(null, StripeSignatureFailureReason.MissingHeader)]
    [TestCase("v1=abc", StripeSignatureFailureReason.MissingTimestamp)]
    [TestCase("t=1800000000", StripeSignatureFailureReason.NoV1Signature)]
    [TestCase("t=1800000000,v0=abc", StripeSignatureFailureReason.NoV1Signature)]
    [TestCase("t=1800000000,v1=abc", StripeSignatureFailureReason.NoMatchingSignature)]
    public void FailuresCarryAReason(string? header, StripeSignatureFailureReason reason)
    {
        var verifier = Verifier([Secret], 300, DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var ex = Assert.Throws<StripeSignatureVerificationException>(() => verifier.Verify("{}"u8, header));
        Assert.That(ex!.Reason, Is.EqualTo(reason));
    }

    [Test]
    public void NoSecretConfiguredIsReported()
    {
        var ex = Assert.Throws<StripeSignatureVerificationException>(
            () => Verifier([], 300, DateTimeOffset.UnixEpoch).Verify("{}"u8, "t=1,v1=aa"));
        Assert.That(ex!.Reason, Is.EqualTo(StripeSignatureFailureReason.NoSecretConfigured));
    }

    [Test]
    public void SignedButNonEventBodyIsInvalidPayload()
    {
        var body = "not json"u8.ToArray();
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var ex = Assert.Throws<StripeSignatureVerificationException>(
            () => Verifier([Secret], 300, now).Verify(body, StripeWebhookSigner.ComputeSignatureHeader(body, Secret, now)));
        Assert.That(ex!.Reason, Is.EqualTo(StripeSignatureFailureReason.InvalidPayload));
    }
}

[TestFixture]
public sealed class WebhookVerifierRegistrationTests
{
    [Test]
    public void VerifierFromDiUsesBoundSecretsToleranceAndTheRegisteredClock()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stripe:WebhookSecrets:0"] = "whsec_old",
            ["Stripe:WebhookSecrets:1"] = "whsec_new",
            ["Stripe:WebhookToleranceSeconds"] = "60",
        }).Build();
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(now));
        services.AddStripeClient(config.GetSection("Stripe"));
        using var provider = services.BuildServiceProvider();
        var verifier = provider.GetRequiredService<StripeWebhookVerifier>();
        var options = provider.GetRequiredService<IOptions<StripeOptions>>().Value;

        var body = """{"id":"evt_di","object":"event","type":"x","created":1,"data":{"object":{}}}"""u8.ToArray();
        Assert.That(verifier.Verify(body, StripeWebhookSigner.ComputeSignatureHeader(body, "whsec_new", now.AddSeconds(-60))).Id, Is.EqualTo("evt_di"));
        var ex = Assert.Throws<StripeSignatureVerificationException>(
            () => verifier.Verify(body, StripeWebhookSigner.ComputeSignatureHeader(body, "whsec_old", now.AddSeconds(-61))));
        Assert.That(ex!.Reason, Is.EqualTo(StripeSignatureFailureReason.TimestampOutsideTolerance));
        Assert.That(options.ApiVersion, Is.EqualTo("2026-07-29.dahlia"));
        Assert.That(options.ApiBase, Is.EqualTo("https://api.stripe.com"));
        Assert.That(options.MaxNetworkRetries, Is.EqualTo(2));
        Assert.That(options.TimeoutSeconds, Is.EqualTo(30));
        Assert.That(options.WebhookSecrets, Is.EqualTo(new[] { "whsec_old", "whsec_new" }));
    }
}
