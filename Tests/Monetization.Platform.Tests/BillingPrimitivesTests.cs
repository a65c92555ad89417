using Monetization.BuildingBlocks.Billing;

namespace Monetization.Platform.Tests;

public sealed class BillingPrimitivesTests
{
    [Test]
    public void SplitBps_parts_always_sum_to_the_whole_and_the_share_rounds_toward_zero()
    {
        var random = new Random(20261121);
        for (var i = 0; i < 20_000; i++)
        {
            var amount = random.NextInt64(-10_000_000_000, 10_000_000_000);
            var bps = random.Next(0, 10_001);
            var (share, remainder) = Money.Of(amount, "usd").SplitBps(bps);
            Assert.That(share.Amount + remainder.Amount, Is.EqualTo(amount));
            Assert.That(Math.Abs(share.Amount), Is.LessThanOrEqualTo(Math.Abs(amount) * (decimal)bps / 10_000m));
            Assert.That(Math.Abs(amount) * (decimal)bps / 10_000m - Math.Abs(share.Amount), Is.LessThan(1m));
        }

        Assert.That(Money.Of(999, "usd").SplitBps(7000), Is.EqualTo((Money.Of(699, "usd"), Money.Of(300, "usd"))));
        Assert.That(Money.Of(long.MaxValue, "usd").SplitBps(7000).Share.Amount, Is.GreaterThan(0), "no overflow");
        Assert.Throws<ArgumentOutOfRangeException>(() => Money.Of(1, "usd").SplitBps(10_001));
    }

    [Test]
    public void Allocate_hands_out_the_remainder_and_sums_to_the_whole()
    {
        var random = new Random(7);
        for (var i = 0; i < 5_000; i++)
        {
            var amount = random.NextInt64(-1_000_000, 1_000_000);
            var weights = Enumerable.Range(0, random.Next(1, 6)).Select(_ => (long)random.Next(0, 100)).ToList();
            if (weights.All(w => w == 0))
            {
                weights[0] = 1;
            }

            var parts = Money.Of(amount, "eur").Allocate(weights);
            Assert.That(parts.Sum(p => p.Amount), Is.EqualTo(amount));
        }

        Assert.That(Money.Of(100, "usd").Allocate([1, 1, 1]).Select(m => m.Amount), Is.EqualTo(new long[] { 34, 33, 33 }));
    }

    [Test]
    public void Money_refuses_to_mix_currencies_and_normalises_codes()
    {
        Assert.That(Money.Of(5, "USD").Currency, Is.EqualTo("usd"));
        Assert.Throws<InvalidOperationException>(() => _ = Money.Of(1, "usd") + Money.Of(1, "eur"));
        Assert.Throws<ArgumentException>(() => Money.Of(1, "dollars"));
    }

    [TestCase("2026-11", true)]
    [TestCase("2026-1", false)]
    [TestCase("2026-13", false)]
    [TestCase("2026-00", false)]
    [TestCase("26-11", false)]
    [TestCase("2026/11", false)]
    [TestCase("", false)]
    [TestCase("2026-11-01", false)]
    [TestCase("1999-12", false)]
    public void BillingPeriod_parses_only_YYYY_MM(string text, bool valid)
    {
        Assert.That(BillingPeriod.TryParse(text, out var period), Is.EqualTo(valid));
        if (valid)
        {
            Assert.That(period.ToString(), Is.EqualTo(text));
            Assert.That(period.Start, Is.EqualTo(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)));
            Assert.That(period.End, Is.EqualTo(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));
            Assert.That(period.Next().ToString(), Is.EqualTo("2026-12"));
        }
    }

    [Test]
    public void BillingPeriod_rolls_over_years_and_contains_its_instants()
    {
        var december = BillingPeriod.Parse("2026-12");
        Assert.That(december.Next().ToString(), Is.EqualTo("2027-01"));
        Assert.That(BillingPeriod.Parse("2027-01").Previous(), Is.EqualTo(december));
        Assert.That(december.Contains(new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero)), Is.True);
        Assert.That(december.Contains(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero)), Is.False);
        Assert.That(BillingPeriod.Containing(new DateTimeOffset(2026, 12, 31, 23, 0, 0, TimeSpan.FromHours(-5))).ToString(), Is.EqualTo("2027-01"), "UTC decides");
    }

    [Test]
    public void PrefixedId_is_prefixed_random_and_checkable()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => PrefixedId.New("plg")).ToList();
        Assert.That(ids.Distinct().Count(), Is.EqualTo(1000));
        Assert.That(ids, Has.All.StartsWith("plg_"));
        Assert.That(ids.All(id => PrefixedId.IsValid(id, "plg")), Is.True);
        Assert.That(PrefixedId.IsValid("plg_short", "plg"), Is.False);
        Assert.Throws<ArgumentException>(() => PrefixedId.New("Bad"));
    }
}
