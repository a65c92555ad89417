using System.Collections.Concurrent;
using Monetization.IntegrationEvents;

namespace Monetization.Platform.Tests;

/// <summary>The integration events' ids (RFC 9562 version 7, ADR 0079).</summary>
public sealed class IntegrationEventIdsTests
{
    private const ulong RandBMask = 0x3FFF_FFFF_FFFF_FFFF;

    [Test]
    public void An_id_is_a_version_7_uuid_whose_leading_48_bits_are_the_event_time_and_whose_other_74_bits_differ_within_a_millisecond()
    {
        var occurredAt = new DateTimeOffset(2026, 12, 5, 23, 30, 0, 123, TimeSpan.Zero);
        var ids = new ConcurrentBag<Guid>();
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 25_000; i++)
            {
                ids.Add(IntegrationEventIds.New(occurredAt));
            }
        });

        Assert.Multiple(() =>
        {
            Assert.That(ids.Distinct().Count(), Is.EqualTo(100_000), "100,000 ids of one millisecond, made on four threads, all differ");
            foreach (var id in ids.Take(1_000))
            {
                var text = id.ToString("N");
                Assert.That(id.Version, Is.EqualTo(7), $"{id}: version 7");
                Assert.That(id.Variant, Is.InRange(8, 11), $"{id}: the RFC 9562 variant (0b10xx)");
                Assert.That(Convert.ToInt64(text[..12], 16), Is.EqualTo(occurredAt.ToUnixTimeMilliseconds()), $"{id}: the event's time in Unix milliseconds");
            }

            // The random bits are spread: each of rand_a's 12 and rand_b's 62 is set in some ids and clear in others.
            var sample = ids.Take(1_000).Select(id => id.ToString("N")).ToList();
            var randA = sample.ConvertAll(text => Convert.ToUInt64(text[13..16], 16));
            var randB = sample.ConvertAll(text => Convert.ToUInt64(text[16..32], 16) & RandBMask);
            Assert.That((randA.Aggregate(0UL, (all, bits) => all | bits), randA.Aggregate(0xFFFUL, (all, bits) => all & bits)), Is.EqualTo((0xFFFUL, 0UL)), "rand_a's 12 bits all vary");
            Assert.That((randB.Aggregate(0UL, (all, bits) => all | bits), randB.Aggregate(RandBMask, (all, bits) => all & bits)), Is.EqualTo((RandBMask, 0UL)), "rand_b's 62 bits all vary");
        });

        Assert.That(IntegrationEventIds.New(occurredAt.AddMilliseconds(1)).ToString("D"), Is.GreaterThan(IntegrationEventIds.New(occurredAt).ToString("D")).Using<string>(StringComparer.Ordinal),
            "an event a millisecond later sorts later in the stored text form");
        Assert.Throws<ArgumentOutOfRangeException>(() => IntegrationEventIds.New(DateTimeOffset.UnixEpoch.AddMilliseconds(-1)), "no time before 1970");
    }
}
