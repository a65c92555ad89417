using Microsoft.EntityFrameworkCore;
using Monetization.Usage.Data;

namespace Monetization.Usage.Domain;

/// <summary>A user's quota of one resource.</summary>
/// <param name="Resource"><c>projects</c> or <c>deploys</c>.</param>
/// <param name="Used">Units held.</param>
/// <param name="Limit">Plan limit + extra slots; null = unlimited.</param>
/// <param name="PlanLimit">The plan's limit; null = unlimited.</param>
/// <param name="ExtraSlots">Slots bought.</param>
/// <param name="Remaining">Limit − used, not below zero; null = unlimited.</param>
internal sealed record QuotaState(string Resource, long Used, long? Limit, long? PlanLimit, long ExtraSlots, long? Remaining)
{
    /// <summary>Reads the quota inside the caller's transaction.</summary>
    public static async Task<QuotaState> LoadAsync(UsageDbContext db, PlanLimits planLimits, string userId, string resource, CancellationToken ct)
    {
        var account = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.UserId == userId, ct);
        var planLimit = planLimits.For(account).Of(resource);
        var extra = await db.QuotaSlotGrants.Where(s => s.UserId == userId && s.Resource == resource).SumAsync(s => s.Slots, ct);
        var used = await db.QuotaAllocations.LongCountAsync(a => a.UserId == userId && a.Resource == resource, ct);
        long? limit = planLimit is { } p ? p + extra : null;
        return new QuotaState(resource, used, limit, planLimit, extra, limit is { } l ? Math.Max(0, l - used) : null);
    }
}
