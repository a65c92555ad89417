using System.Collections.Concurrent;

namespace Monetization.Usage.Domain;

/// <summary>
/// A short-lived, process-local copy of users' accounts (plan limits) for ingestion's threshold check, so a batch does
/// not query the accounts of every user it touches. An entry lives <see cref="Lifetime"/>; a plan change applied in this
/// process drops the user's entry and keeps it uncached for <see cref="SettleTime"/> (the change commits after the
/// consumer's code runs). Another instance sees a plan change within <see cref="Lifetime"/>. Alerts stay exactly-once
/// whatever the cache says (the alert table decides); only their timing can lag by that much.
/// </summary>
internal sealed class AccountCache(TimeProvider clock)
{
    /// <summary>How long an entry is used.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    /// <summary>How long a changed user is not cached.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(5);

    private const int Capacity = 100_000;
    private readonly ConcurrentDictionary<string, (UsageAccount? Account, DateTimeOffset LoadedAt)> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _settling = new(StringComparer.Ordinal);

    /// <summary>The cached account (null = no account: the free plan), when fresh.</summary>
    public bool TryGet(string userId, out UsageAccount? account)
    {
        account = null;
        if (_entries.TryGetValue(userId, out var entry) && clock.GetUtcNow() - entry.LoadedAt < Lifetime)
        {
            account = entry.Account;
            return true;
        }

        return false;
    }

    /// <summary>Caches an account read from the database (null = none), unless the user is settling after a change.</summary>
    public void Set(string userId, UsageAccount? account)
    {
        var now = clock.GetUtcNow();
        if (_settling.TryGetValue(userId, out var until))
        {
            if (now < until)
            {
                return;
            }

            _settling.TryRemove(userId, out _);
        }

        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }

        _entries[userId] = (account, now);
    }

    /// <summary>Drops a user's entry after a plan change and keeps it uncached while the change commits.</summary>
    public void Invalidate(string userId)
    {
        _settling[userId] = clock.GetUtcNow() + SettleTime;
        _entries.TryRemove(userId, out _);
    }
}
