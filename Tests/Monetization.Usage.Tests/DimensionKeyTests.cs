using Monetization.Usage.Domain;

namespace Monetization.Usage.Tests;

/// <summary>Rollup dimension keys (<see cref="DimensionKey"/>): encoded sorted and escaped, decoded once per key and shared read-only (issue 22).</summary>
public sealed class DimensionKeyTests
{
    [Test]
    public void A_key_decodes_to_the_pairs_it_was_encoded_from_escaped_values_included()
    {
        var key = DimensionKey.Encode([new("model", "gpt-4o"), new("plugin_id", "plg a&b=c")]);
        Assert.That(key, Is.EqualTo("model=gpt-4o&plugin_id=plg%20a%26b%3Dc"));
        Assert.That(DimensionKey.Decode(key), Is.EquivalentTo(new Dictionary<string, string> { ["model"] = "gpt-4o", ["plugin_id"] = "plg a&b=c" }));
        Assert.That(DimensionKey.Decode(DimensionKey.Total), Is.Empty);
    }

    [Test]
    public void A_key_read_again_is_answered_from_the_first_decoding_which_callers_cannot_change()
    {
        var key = "model=" + Guid.NewGuid().ToString("N");
        var first = DimensionKey.Decode(key);
        Assert.That(DimensionKey.Decode(key), Is.SameAs(first));
        Assert.Throws<NotSupportedException>(() => ((IDictionary<string, string>)first)["model"] = "changed");
        Assert.That(DimensionKey.Decode(key)["model"], Is.Not.EqualTo("changed"));
    }

    [Test]
    public void More_distinct_keys_than_the_cache_holds_still_decode_correctly()
    {
        for (var i = 0; i < DimensionKey.DecodedCapacity + 10; i++)
        {
            var value = "m" + i;
            Assert.That(DimensionKey.Decode("model=" + value)["model"], Is.EqualTo(value));
        }
    }
}
