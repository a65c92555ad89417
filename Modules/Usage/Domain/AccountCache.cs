using System.Collections.Concurrent;

namespace Monetization.Usage.Domain;

/// <summary>
/// A short-lived, process-local copy of users' accounts (plan limits) for ingestion's threshold check, so a batch does
/// not query the accounts of every user it touches. An entry lives <see cref="Lifetime"/>; a plan change applied in this
/// process drops the user's entry and keeps it uncached for <see cref="SettleTime"/> (the change commits after the
/// consumer's code runs). Another instance sees a plan change within <see cref="Lifetime"/>. Alerts stay exactly-once
/// whatever the cache says (the alert table decides); only their timing can lag by that much.
/// </summary>
/// <remarks>
/// Bounded to a capacity of entries (<see cref="DefaultCapacity"/>). When it is full, expired entries go first, then the
/// oldest of the fresh ones, down to three quarters of the capacity: the users of the current traffic stay cached. The
/// cache used to be cleared whole when full, and with 100,000 active users every batch then read about a thousand accounts
/// again at once (issue 22, docs/performance.md, nineteenth session).
/// </remarks>
internal sealed class AccountCache
{
    /// <summary>How long an entry is used.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    /// <summary>How long a changed user is not cached.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(5);

    /// <summary>Entries kept at most (about 20 MB of accounts).</summary>
    public const int DefaultCapacity = 100_000;

    private readonly TimeProvider _clock;
    private readonly int _capacity;
    private readonly ConcurrentDictionary<string, (UsageAccount? Account, DateTimeOffset LoadedAt)> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _settling = new(StringComparer.Ordinal);
    private readonly Lock _evicting = new();

    /// <summary>
    /// Entries added minus entries removed, kept by hand: <see cref="ConcurrentDictionary{TKey,TValue}.Count"/> takes every
    /// lock of the dictionary. It may drift by a few under races; each eviction sets it to the true count again.
    /// </summary>
    private int _count;

    /// <summary>A cache of at most <paramref name="capacity"/> entries (at least 4), timed by <paramref name="clock"/>.</summary>
    public AccountCache(TimeProvider clock, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 4);
        _clock = clock;
        _capacity = capacity;
    }

    /// <summary>Entries held now, fresh or expired (for tests and diagnostics).</summary>
    public int Count => _entries.Count;

    /// <summary>The cached account (null = no account: the free plan), when fresh.</summary>
    public bool TryGet(string userId, out UsageAccount? account)
    {
        account = null;
        if (_entries.TryGetValue(userId, out var entry) && _clock.GetUtcNow() - entry.LoadedAt < Lifetime)
        {
            account = entry.Account;
            return true;
        }

        return false;
    }

    /// <summary>Caches an account read from the database (null = none), unless the user is settling after a change.</summary>
    public void Set(string userId, UsageAccount? account)
    {
        var now = _clock.GetUtcNow();
        if (_settling.TryGetValue(userId, out var until))
        {
            if (now < until)
            {
                return;
            }

            _settling.TryRemove(userId, out _);
        }

        if (Volatile.Read(ref _count) >= _capacity && !_entries.ContainsKey(userId))
        {
            Evict(now);
        }

        if (_entries.TryAdd(userId, (account, now)))
        {
            Interlocked.Increment(ref _count);
        }
        else
        {
            _entries[userId] = (account, now);
        }
    }

    /// <summary>Drops a user's entry after a plan change and keeps it uncached while the change commits.</summary>
    public void Invalidate(string userId)
    {
        _settling[userId] = _clock.GetUtcNow() + SettleTime;
        if (_entries.TryRemove(userId, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    /// <summary>
    /// Makes room: removes expired entries, then the oldest fresh ones, until three quarters of the capacity are left;
    /// forgets settling marks that have passed. One caller at a time; a caller that finds the room made meanwhile returns.
    /// </summary>
    private void Evict(DateTimeOffset now)
    {
        lock (_evicting)
        {
            if (_entries.Count < _capacity)
            {
                Volatile.Write(ref _count, _entries.Count);
                return;
            }

            foreach (var (userId, until) in _settling)
            {
                if (now >= until)
                {
                    _settling.TryRemove(userId, out _);
                }
            }

            var target = _capacity / 4 * 3;
            var loaded = new long[_entries.Count];
            var n = 0;
            foreach (var (_, entry) in _entries)
            {
                if (n == loaded.Length)
                {
                    break; // added meanwhile: left out of the cut-off
                }

                loaded[n++] = entry.LoadedAt.UtcTicks;
            }

            // The cut-off keeps the newest `target` entries; every expired one is older than it or removed below anyway.
            Array.Sort(loaded, 0, n);
            var keepFrom = n > target ? loaded[n - target] : long.MinValue;
            var expired = (now - Lifetime).UtcTicks;
            foreach (var (userId, entry) in _entries)
            {
                var ticks = entry.LoadedAt.UtcTicks;
                if (ticks < keepFrom || ticks <= expired)
                {
                    _entries.TryRemove(userId, out _);
                }
            }

            // Entries loaded in the same tick as the cut-off all stay; if that is still over the capacity, any of them go.
            var left = _entries.Count;
            foreach (var (userId, _) in _entries)
            {
                if (left <= target)
                {
                    break;
                }

                if (_entries.TryRemove(userId, out _))
                {
                    left--;
                }
            }

            Volatile.Write(ref _count, _entries.Count);
        }
    }
}
