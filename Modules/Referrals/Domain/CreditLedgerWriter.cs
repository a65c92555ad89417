using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Referrals;
using Monetization.Referrals.Data;

namespace Monetization.Referrals.Domain;

/// <summary>
/// Writes ledger entries and their events in the caller's transaction: each entry exactly once (unique
/// <see cref="CreditEntry.IdempotencyKey"/>), anchored on the user's credit_until derived from the ledger, and published
/// as <see cref="AccessCreditGranted"/> / <see cref="AccessCreditReversed"/> through the outbox with the same commit.
/// </summary>
internal static class CreditLedgerWriter
{
    /// <summary>Grants <paramref name="days"/> to <paramref name="userId"/> for a referral; null when that grant already exists.</summary>
    public static async Task<CreditEntry?> GrantAsync(
        ReferralsDbContext db, DateTimeOffset now, string userId, int days, string reason, string referralId, CancellationToken cancellationToken)
    {
        var key = $"{referralId}:{reason}";
        if (await db.CreditEntries.AnyAsync(e => e.IdempotencyKey == key, cancellationToken))
        {
            return null;
        }

        var before = await CreditUntilAsync(db, userId, cancellationToken);
        var entry = new CreditEntry
        {
            Id = PrefixedId.New("cgr"),
            UserId = userId,
            Kind = CreditEntryKinds.Grant,
            Days = days,
            Reason = reason,
            ReferralId = referralId,
            IdempotencyKey = key,
            CreatedAt = now,
            StartsAt = CreditLedger.AnchorOf(now, before),
            CreditUntilAfter = CreditLedger.Apply(before, now, days),
        };
        db.CreditEntries.Add(entry);
        db.AddIntegrationEvent(new AccessCreditGranted(
            IntegrationEventIds.New(now), now, entry.Id, userId, days, reason, referralId, entry.StartsAt, entry.CreditUntilAfter));
        await db.SaveChangesAsync(cancellationToken);
        return entry;
    }

    /// <summary>
    /// Grants <paramref name="days"/> to <paramref name="userId"/> by hand (issue 20): the same ledger, anchoring and
    /// <see cref="AccessCreditGranted"/> as a referral reward, with reason <c>manual_grant</c>, the admin's
    /// <paramref name="note"/> and source <c>admin</c>. Each call is a new grant (a retried request is deduplicated by the
    /// HTTP <c>Idempotency-Key</c>).
    /// </summary>
    public static async Task<CreditEntry> GrantManuallyAsync(ReferralsDbContext db, DateTimeOffset now, string userId, int days, string note, CancellationToken cancellationToken)
    {
        var before = await CreditUntilAsync(db, userId, cancellationToken);
        var id = PrefixedId.New("cgr");
        var entry = new CreditEntry
        {
            Id = id,
            UserId = userId,
            Kind = CreditEntryKinds.Grant,
            Days = days,
            Reason = CreditReasons.ManualGrant,
            ReferralId = "",
            Note = note,
            IdempotencyKey = $"manual:{id}",
            CreatedAt = now,
            StartsAt = CreditLedger.AnchorOf(now, before),
            CreditUntilAfter = CreditLedger.Apply(before, now, days),
        };
        db.CreditEntries.Add(entry);
        db.AddIntegrationEvent(new AccessCreditGranted(
            IntegrationEventIds.New(now), now, entry.Id, userId, days, CreditReasons.ManualGrant, ManualSource, entry.StartsAt, entry.CreditUntilAfter));
        await db.SaveChangesAsync(cancellationToken);
        return entry;
    }

    /// <summary>The source id of a manual grant in <see cref="AccessCreditGranted"/> and the ledger views.</summary>
    public const string ManualSource = "admin";

    /// <summary>
    /// Reverses a grant (a negative entry of the same days); null when it was already reversed. No event is published
    /// for an erased user (nobody left to take access from), but the entry is written so the ledger still balances.
    /// </summary>
    public static async Task<CreditEntry?> ReverseAsync(
        ReferralsDbContext db, DateTimeOffset now, CreditEntry grant, string reason, bool userErased, CancellationToken cancellationToken)
    {
        var key = $"{grant.Id}:reversal";
        if (await db.CreditEntries.AnyAsync(e => e.IdempotencyKey == key, cancellationToken))
        {
            return null;
        }

        var before = await CreditUntilAsync(db, grant.UserId, cancellationToken);
        var entry = new CreditEntry
        {
            Id = PrefixedId.New("crv"),
            UserId = grant.UserId,
            Kind = CreditEntryKinds.Reversal,
            Days = -grant.Days,
            Reason = reason,
            ReferralId = grant.ReferralId,
            ReversesEntryId = grant.Id,
            IdempotencyKey = key,
            CreatedAt = now,
            StartsAt = now,
            CreditUntilAfter = CreditLedger.Apply(before, now, -grant.Days),
        };
        db.CreditEntries.Add(entry);
        if (!userErased)
        {
            db.AddIntegrationEvent(new AccessCreditReversed(
                IntegrationEventIds.New(now), now, grant.Id, grant.UserId, grant.Days, reason, entry.Id, grant.ReferralId, entry.CreditUntilAfter));
        }

        await db.SaveChangesAsync(cancellationToken);
        return entry;
    }

    /// <summary>The user's credit_until derived from their saved ledger; null without entries.</summary>
    public static async Task<DateTimeOffset?> CreditUntilAsync(ReferralsDbContext db, string userId, CancellationToken cancellationToken)
    {
        var entries = await db.CreditEntries.AsNoTracking()
            .Where(e => e.UserId == userId)
            .OrderBy(e => e.Sequence)
            .ToListAsync(cancellationToken);
        return CreditLedger.CreditUntil(entries);
    }
}
