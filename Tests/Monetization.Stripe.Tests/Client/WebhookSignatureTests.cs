using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StripeNet = Stripe;

namespace Monetization.Stripe.Tests.Client;

/// <summary>
/// <see cref="StripeWebhookSignature"/> (Stripe.net's <c>EventUtility.ValidateSignature</c> per configured secret) against
/// stripe-node's own outcomes in <c>samples/signatures.json</c>, and the reasons the webhook route answers with.
/// </summary>
[TestFixture]
public sealed class WebhookSignatureTests
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

    private static StripeWebhookSignature Signature(IEnumerable<string> secrets, int tolerance, DateTimeOffset now) =>
        new(Options.Create(new StripeOptions { WebhookSecrets = secrets.ToList(), WebhookToleranceSeconds = tolerance }), new FakeTimeProvider(now));

    private static string Payload(string relative) =>
        Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(SharedStripeData.RequireStripeDir(), "samples", relative)));

    [Test]
    public void SignatureCasesFileHasThirtyCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(SharedStripeData.PathTo("samples", "signatures.json")));
        Assert.That(doc.RootElement.GetProperty("cases").GetArrayLength(), Is.EqualTo(30));
    }

    [TestCaseSource(nameof(SignatureCases))]
    public void SignatureCaseMatchesStripeNodesOutcome(JsonElement? testCase)
    {
        if (testCase is not { } c)
        {
            SharedStripeData.RequireStripeDir();
            return;
        }

        var payload = Payload(c.GetProperty("payload_file").GetString()!);
        var signature = Signature(
            [c.GetProperty("secret").GetString()!],
            c.GetProperty("tolerance").GetInt32(),
            DateTimeOffset.FromUnixTimeSeconds(c.GetProperty("verify_at").GetInt64()));
        var header = c.GetProperty("header").GetString();

        if (c.GetProperty("expected").GetString() == "valid")
        {
            Assert.DoesNotThrow(() => signature.Verify(payload, header));
        }
        else
        {
            var ex = Assert.Throws<StripeSignatureVerificationException>(() => signature.Verify(payload, header));
            Assert.That(ex!.Message, Is.Not.Empty);
        }
    }

    [Test]
    public void SignedEventsVerifyAndStripeNetReproducesStripeNodesHeaders()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(SharedStripeData.PathTo("samples", "signatures.json")));
        var events = doc.RootElement.GetProperty("signed_events").EnumerateArray().ToList();
        Assert.That(events, Has.Count.EqualTo(15));
        foreach (var e in events)
        {
            var file = e.GetProperty("payload_file").GetString()!;
            var bytes = File.ReadAllBytes(Path.Combine(SharedStripeData.RequireStripeDir(), "samples", file));
            Assert.That(Convert.ToHexStringLower(SHA256.HashData(bytes)), Is.EqualTo(e.GetProperty("sha256").GetString()),
                $"{file} was modified (reformatted, CRLF or final newline); signatures no longer apply.");
            var t = e.GetProperty("timestamp").GetInt64();
            var payload = Encoding.UTF8.GetString(bytes);
            Assert.DoesNotThrow(() => Signature([Secret], 300, DateTimeOffset.FromUnixTimeSeconds(t + 10)).Verify(payload, e.GetProperty("header").GetString()), file);
            Assert.That(StripeNet.EventUtility.GenerateSignatureHeader(payload, Secret, t), Is.EqualTo(e.GetProperty("header").GetString()), file);
        }
    }

    [Test]
    public void MinimalCaseSignedPayloadIsHandCheckable()
    {
        var body = Payload("signature-payloads/minimal.json");
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes("1785751200." + body)));
        Assert.That(StripeNet.EventUtility.ComputeSignature(Secret, "1785751200", body), Is.EqualTo(expected).And.EqualTo("fac1154ac545dab0882509a812facbdf325cb8b610866278a3bc3b46f361e428"));
    }

    [Test]
    public void TimestampTooFarInThePastOrFutureIsOutsideTheTolerance()
    {
        const string body = """{"id":"evt_1","object":"event","type":"x","created":1,"data":{"object":{}}}""";
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        foreach (var offset in new[] { -301, 301 })
        {
            var header = StripeNet.EventUtility.GenerateSignatureHeader(body, Secret, now.AddSeconds(offset).ToUnixTimeSeconds());
            var ex = Assert.Throws<StripeSignatureVerificationException>(() => Signature([Secret], 300, now).Verify(body, header));
            Assert.That(ex!.Reason, Is.EqualTo(StripeSignatureFailureReason.TimestampOutsideTolerance), $"offset {offset}");
        }

        Assert.DoesNotThrow(() => Signature([Secret], 300, now).Verify(body, StripeNet.EventUtility.GenerateSignatureHeader(body, Secret, now.AddSeconds(300).ToUnixTimeSeconds())));
    }

    [Test]
    public void ToleranceZeroDisablesTheAgeCheckInsteadOfMeaningTheSameSecond()
    {
        const string body = """{"id":"evt_0","object":"event"}""";
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var yearOld = StripeNet.EventUtility.GenerateSignatureHeader(body, Secret, now.AddDays(-365).ToUnixTimeSeconds());
        Assert.DoesNotThrow(() => Signature([Secret], 0, now).Verify(body, yearOld));
        Assert.Throws<StripeSignatureVerificationException>(() => Signature([Secret], 0, now).Verify(body + " ", yearOld), "the signature is still checked");
    }

    [Test]
    public void EveryConfiguredSecretIsTriedDuringRotation()
    {
        const string body = """{"id":"evt_2","object":"event","type":"x","created":1,"data":{"object":{}}}""";
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var signature = Signature(["whsec_old", "whsec_new"], 300, now);
        Assert.DoesNotThrow(() => signature.Verify(body, StripeNet.EventUtility.GenerateSignatureHeader(body, "whsec_new", now.ToUnixTimeSeconds())));
        Assert.DoesNotThrow(() => signature.Verify(body, StripeNet.EventUtility.GenerateSignatureHeader(body, "whsec_old", now.ToUnixTimeSeconds())));
        var ex = Assert.Throws<StripeSignatureVerificationException>(() => signature.Verify(body, StripeNet.EventUtility.GenerateSignatureHeader(body, "whsec_other", now.ToUnixTimeSeconds())));
        Assert.That(ex!.Reason, Is.EqualTo(StripeSignatureFailureReason.NoMatchingSignature));
    }

    [TestCase(null, StripeSignatureFailureReason.MissingHeader)]
    [TestCase("", StripeSignatureFailureReason.MissingHeader)]
    [TestCase("v1=abc", StripeSignatureFailureReason.MissingTimestamp)]
    [TestCase("t=abc,v1=abc", StripeSignatureFailureReason.MissingTimestamp)]
    [TestCase("garbage", StripeSignatureFailureReason.MissingTimestamp)]
    [TestCase("t=1800000000", StripeSignatureFailureReason.NoV1Signature)]
    [TestCase("t=1800000000,v0=abc", StripeSignatureFailureReason.NoV1Signature)]
    [TestCase("t=1800000000,v1=abc", StripeSignatureFailureReason.NoMatchingSignature)]
    public void FailuresCarryTheReasonTheApiAnswersWith(string? header, StripeSignatureFailureReason reason)
    {
        // Stripe.net alone throws a NullReferenceException for a missing header and the same bare StripeException for the rest.
        var signature = Signature([Secret], 300, DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var ex = Assert.Throws<StripeSignatureVerificationException>(() => signature.Verify("{}", header));
        Assert.That(ex!.Reason, Is.EqualTo(reason));
    }

    [Test]
    public void NoSecretConfiguredIsReported()
    {
        var ex = Assert.Throws<StripeSignatureVerificationException>(() => Signature([], 300, DateTimeOffset.UnixEpoch).Verify("{}", "t=1,v1=aa"));
        Assert.That(ex!.Reason, Is.EqualTo(StripeSignatureFailureReason.NoSecretConfigured));
    }

    [Test]
    public void CheckerFromDiUsesBoundSecretsToleranceAndTheRegisteredClock()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stripe:WebhookSecrets:0"] = "whsec_old",
            ["Stripe:WebhookSecrets:1"] = "whsec_new",
            ["Stripe:WebhookToleranceSeconds"] = "60",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(now));
        services.AddStripeClient(config.GetSection("Stripe"));
        using var provider = services.BuildServiceProvider();
        var signature = provider.GetRequiredService<StripeWebhookSignature>();
        var options = provider.GetRequiredService<IOptions<StripeOptions>>().Value;

        const string body = """{"id":"evt_di","object":"event"}""";
        Assert.DoesNotThrow(() => signature.Verify(body, StripeNet.EventUtility.GenerateSignatureHeader(body, "whsec_new", now.AddSeconds(-60).ToUnixTimeSeconds())));
        var ex = Assert.Throws<StripeSignatureVerificationException>(
            () => signature.Verify(body, StripeNet.EventUtility.GenerateSignatureHeader(body, "whsec_old", now.AddSeconds(-61).ToUnixTimeSeconds())));
        Assert.That(ex!.Reason, Is.EqualTo(StripeSignatureFailureReason.TimestampOutsideTolerance));
        Assert.That(options.ApiVersion, Is.EqualTo("2026-10-28.endive").And.EqualTo(StripeNet.StripeConfiguration.ApiVersion));
        Assert.That(options.ApiBase, Is.EqualTo("https://api.stripe.com"));
        Assert.That(options.MaxNetworkRetries, Is.EqualTo(2));
        Assert.That(options.TimeoutSeconds, Is.EqualTo(30));
        Assert.That(options.WebhookSecrets, Is.EqualTo(new[] { "whsec_old", "whsec_new" }));
    }

    [Test]
    public void AnotherApiVersionIsRefusedAtStart()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Stripe:ApiVersion"] = "2026-07-29.dahlia" }).Build();
        var services = new ServiceCollection();
        services.AddStripeClient(config.GetSection("Stripe"));
        using var provider = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<StripeOptions>>().Value);
        Assert.That(ex!.Message, Does.Contain("2026-10-28.endive"));
    }
}
