using Monetization.Referrals.Data;

namespace Monetization.Referrals.Domain;

/// <summary>Checks against erasure tombstones.</summary>
internal static class Erasure
{
    /// <summary>
    /// True when <paramref name="userId"/> was erased at or after <paramref name="occurredAt"/>: a fact from before the
    /// erasure, delivered late, must not bring the user's data back. Facts after the erasure (a returning user) apply.
    /// </summary>
    public static async Task<bool> IsStaleAsync(ReferralsDbContext db, string userId, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var tombstone = await db.ErasedUsers.FindAsync([ErasedUser.HashOf(userId)], cancellationToken);
        return tombstone is not null && tombstone.ErasedAt >= occurredAt;
    }
}
