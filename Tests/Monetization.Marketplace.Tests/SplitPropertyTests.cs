using Monetization.BuildingBlocks.Billing;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Tests;

/// <summary>Property tests over a seeded random loop (reproducible; FsCheck is not in the central packages).</summary>
public sealed class SplitPropertyTests
{
    [Test]
    public void Developer_and_platform_shares_always_sum_to_gross_and_the_developer_is_rounded_down()
    {
        var random = new Random(20261102);
        for (var i = 0; i < 50_000; i++)
        {
            var gross = (i % 4) switch
            {
                0 => random.NextInt64(0, 100),
                1 => random.NextInt64(0, 1_000_000),
                2 => random.NextInt64(-1_000_000_000_000, 1_000_000_000_000),
                _ => random.NextInt64(long.MinValue / 10_000, long.MaxValue / 10_000),
            };
            var bps = i % 10 == 0 ? (i % 20 == 0 ? 0 : 10_000) : random.Next(0, 10_001);
            var (developer, platform) = Money.Of(gross, "usd").SplitBps(bps);
            Assert.That(developer.Amount + platform.Amount, Is.EqualTo(gross), $"case {i}: {gross} at {bps} bps");
            if (gross >= 0)
            {
                var exact = (Int128)gross * bps;
                Assert.That((Int128)developer.Amount * 10_000, Is.LessThanOrEqualTo(exact), $"case {i}: rounded down");
                Assert.That(((Int128)developer.Amount + 1) * 10_000, Is.GreaterThan(exact), $"case {i}: by less than one minor unit");
                Assert.That(platform.Amount, Is.GreaterThanOrEqualTo(0));
            }
        }
    }

    [Test]
    public void Partial_refunds_in_any_steps_take_back_exactly_the_developer_share_when_complete()
    {
        var random = new Random(7000);
        for (var i = 0; i < 10_000; i++)
        {
            var gross = random.NextInt64(1, 10_000_000);
            var bps = random.Next(0, 10_001);
            var share = Money.Of(gross, "eur").SplitBps(bps).Share.Amount;
            long refunded = 0, developerRefunded = 0;
            while (refunded < gross)
            {
                var next = random.Next(3) == 0 ? gross : Math.Min(gross, refunded + random.NextInt64(1, Math.Max(2, gross / 3)));
                var developerDelta = RevenueLedger.DeveloperRefundDelta(refunded, next, "eur", bps);
                var platformDelta = next - refunded - developerDelta;
                Assert.That(developerDelta, Is.GreaterThanOrEqualTo(0), $"case {i}");
                Assert.That(platformDelta, Is.GreaterThanOrEqualTo(0), $"case {i}");
                developerRefunded += developerDelta;
                refunded = next;
            }

            Assert.That(developerRefunded, Is.EqualTo(share), $"case {i}: {gross} at {bps} bps");
        }
    }
}
