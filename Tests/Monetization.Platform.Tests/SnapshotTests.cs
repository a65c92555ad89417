using System.Text.Json.Nodes;
using Monetization.TestKit;
using NUnit.Framework.Internal;

namespace Monetization.Platform.Tests;

public sealed class SnapshotTests
{
    [Test]
    public async Task Public_plans_catalog_matches_its_verified_snapshot()
    {
        await using var factory = new MonetizationFactory();
        using var anonymous = factory.CreateAnonymousClient();
        var plans = await anonymous.GetJsonAsync("/v1/plans");
        Snapshot.Match(plans, "plans");
    }

    [Test]
    public void Normalize_sorts_keys_and_replaces_random_ids_by_stable_placeholders()
    {
        var a = JsonNode.Parse("""{"b": "cus_AAAAAAAAAAAAAAAAAAAA", "a": ["sub_BBBBBBBBBBBBBBBBBBBB", "cus_AAAAAAAAAAAAAAAAAAAA"]}""");
        var b = JsonNode.Parse("""{"a": ["sub_CCCCCCCCCCCCCCCCCCCC", "cus_DDDDDDDDDDDDDDDDDDDD"], "b": "cus_DDDDDDDDDDDDDDDDDDDD"}""");
        Assert.That(Snapshot.Normalize(a), Is.EqualTo(Snapshot.Normalize(b)));
        Assert.That(Snapshot.Normalize(a), Does.Contain("cus_1").And.Contain("sub_1"));
        Assert.That(Snapshot.Normalize(a).IndexOf("\"a\"", StringComparison.Ordinal), Is.LessThan(Snapshot.Normalize(a).IndexOf("\"b\"", StringComparison.Ordinal)));
    }

    [Test]
    public void Normalize_replaces_timestamps_and_opaque_values_but_keeps_words_periods_and_amounts()
    {
        var node = JsonNode.Parse("""{"created_at": "2026-12-03T10:00:00+00:00", "code": "K7QX2M", "type": "stripe_unavailable", "period": "2026-12", "amount": 1500, "id": "plg_a1B2c3D4e5F6g7H8i9J0k1L2"}""");
        var text = Snapshot.Normalize(node, ["code"]);
        Assert.That(text, Does.Contain("\"<time>\"").And.Contain("\"<scrubbed>\"").And.Contain("stripe_unavailable").And.Contain("2026-12\"").And.Contain("1500").And.Contain("plg_1"));
        Assert.That(text, Does.Not.Contain("K7QX2M").And.Not.Contain("a1B2c3"));
    }

    [Test]
    public void A_mismatch_fails_and_writes_the_received_file_beside_the_test()
    {
        var directory = Path.Combine(Path.GetTempPath(), "monetization-snapshots", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var caller = Path.Combine(directory, "SomeTests.cs");
        File.WriteAllText(Path.Combine(directory, "shape.verified.json"), Snapshot.Normalize(JsonNode.Parse("""{"status": "active"}""")) + "\n");

        Snapshot.Match(JsonNode.Parse("""{"status": "active"}"""), "shape", callerFile: caller);
        Assert.That(File.Exists(Path.Combine(directory, "shape.received.json")), Is.False);

        using (new TestExecutionContext.IsolatedContext())
        {
            Assert.Throws<AssertionException>(() => Snapshot.Match(JsonNode.Parse("""{"status": "past_due"}"""), "shape", callerFile: caller));
        }

        Assert.That(File.ReadAllText(Path.Combine(directory, "shape.received.json")), Does.Contain("past_due"));
        Directory.Delete(directory, recursive: true);
    }
}
