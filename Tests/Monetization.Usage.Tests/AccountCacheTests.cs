using Monetization.TestKit;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Tests;

/// <summary>
/// The ingestion's account cache (<see cref="AccountCache"/>) when it is full: it keeps the users of the current traffic
/// and drops the oldest, instead of forgetting everyone at once (issue 22).
/// </summary>
public sealed class AccountCacheTests
{
    [Test]
    public void A_full_cache_drops_its_oldest_entries_and_keeps_the_recent_ones()
    {
        var clock = new FakeTimeProvider();
        var cache = new AccountCache(clock, capacity: 8);
        for (var i = 0; i < 8; i++)
        {
            cache.Set($"usr_{i}", new UsageAccount { UserId = $"usr_{i}", Plan = "pro" });
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        cache.Set("usr_new", null);

        Assert.That(cache.Count, Is.EqualTo(7), "three quarters of the capacity kept, then the new entry");
        for (var i = 0; i < 2; i++)
        {
            Assert.That(cache.TryGet($"usr_{i}", out _), Is.False, $"usr_{i} was the oldest");
        }

        for (var i = 2; i < 8; i++)
        {
            Assert.That(cache.TryGet($"usr_{i}", out var account), Is.True, $"usr_{i} is recent");
            Assert.That(account!.UserId, Is.EqualTo($"usr_{i}"));
        }

        Assert.That(cache.TryGet("usr_new", out var none), Is.True);
        Assert.That(none, Is.Null, "a user without an account is cached as the free plan");
    }

    [Test]
    public void Expired_entries_go_before_any_fresh_one()
    {
        var clock = new FakeTimeProvider();
        var cache = new AccountCache(clock, capacity: 8);
        for (var i = 0; i < 6; i++)
        {
            cache.Set($"usr_old_{i}", null);
        }

        clock.Advance(AccountCache.Lifetime + TimeSpan.FromSeconds(1));
        cache.Set("usr_a", null);
        cache.Set("usr_b", null);

        cache.Set("usr_c", null);

        Assert.That(cache.Count, Is.EqualTo(3));
        Assert.That(new[] { "usr_a", "usr_b", "usr_c" }.All(u => cache.TryGet(u, out _)), Is.True);
    }

    [Test]
    public void Entries_loaded_in_the_same_instant_are_still_bounded_and_refreshing_a_cached_user_evicts_nobody()
    {
        var clock = new FakeTimeProvider();
        var cache = new AccountCache(clock, capacity: 8);
        for (var i = 0; i < 20; i++)
        {
            cache.Set($"usr_{i}", null);
            Assert.That(cache.Count, Is.LessThanOrEqualTo(8));
        }

        var held = cache.Count;
        var cachedUser = Enumerable.Range(0, 20).Select(i => $"usr_{i}").First(u => cache.TryGet(u, out _));
        cache.Set(cachedUser, new UsageAccount { UserId = cachedUser, Plan = "team" });
        Assert.That(cache.Count, Is.EqualTo(held));
        Assert.That(cache.TryGet(cachedUser, out var refreshed) && refreshed!.Plan == "team", Is.True);
    }

    [Test]
    public void A_plan_change_keeps_the_user_uncached_while_it_settles_even_across_an_eviction()
    {
        var clock = new FakeTimeProvider();
        var cache = new AccountCache(clock, capacity: 4);
        cache.Set("usr_changed", new UsageAccount { UserId = "usr_changed", Plan = "free" });
        cache.Invalidate("usr_changed");
        Assert.That(cache.TryGet("usr_changed", out _), Is.False);

        for (var i = 0; i < 6; i++)
        {
            cache.Set($"usr_{i}", null);
        }

        cache.Set("usr_changed", new UsageAccount { UserId = "usr_changed", Plan = "free" });
        Assert.That(cache.TryGet("usr_changed", out _), Is.False, "a stale read during the settle time is not cached");

        clock.Advance(AccountCache.SettleTime);
        cache.Set("usr_changed", new UsageAccount { UserId = "usr_changed", Plan = "pro" });
        Assert.That(cache.TryGet("usr_changed", out var account) && account!.Plan == "pro", Is.True);
    }
}
