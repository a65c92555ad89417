using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Usage;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.Usage.Data;

namespace Monetization.Usage.Domain;

/// <summary>
/// Rules of a user's prepaid credits: expiry is written to the ledger when due, and spending takes the grant that expires
/// first (grants without expiry last, then oldest first; issue: "credits spent first, earliest expiry first").
/// Call inside the caller's transaction; changes are saved by the caller.
/// </summary>
internal static class CreditWallet
{
    /// <summary>Writes an <c>expiry</c> entry for every grant of the user whose expiry is due and that still has a remainder.</summary>
    public static async Task ExpireDueAsync(UsageDbContext db, string userId, DateTimeOffset now, CancellationToken ct)
    {
        var due = await db.CreditGrants.Where(g => g.UserId == userId && g.Remaining > 0 && g.ExpiresAt != null && g.ExpiresAt <= now).ToListAsync(ct);
        foreach (var grant in due)
        {
            db.CreditLedger.Add(new CreditLedgerEntry
            {
                Id = PrefixedId.New("cle"),
                UserId = userId,
                Type = "expiry",
                Amount = -grant.Remaining,
                Currency = grant.Currency,
                GrantId = grant.Id,
                Description = $"Credit expired ({grant.Reason})",
                CreatedAt = grant.ExpiresAt!.Value,
            });
            grant.Remaining = 0;
        }
    }

    /// <summary>
    /// Spends up to <paramref name="amount"/> of the user's live credits in <paramref name="currency"/>; returns what was spent.
    /// When the spend takes the live balance from at or above <paramref name="lowBalanceThreshold"/> to below it (and the
    /// threshold is above 0), <see cref="CreditBalanceDropped"/> is queued in the same unit of work.
    /// </summary>
    public static async Task<long> SpendAsync(
        UsageDbContext db, string userId, long amount, string currency, string usageInvoiceId, string description, DateTimeOffset now, long lowBalanceThreshold, CancellationToken ct)
    {
        if (amount <= 0)
        {
            return 0;
        }

        var grants = (await db.CreditGrants.Where(g => g.UserId == userId && g.Remaining > 0 && g.Currency == currency).ToListAsync(ct))
            .Where(g => g.ExpiresAt is null || g.ExpiresAt > now)
            .OrderBy(g => g.ExpiresAt is null)
            .ThenBy(g => g.ExpiresAt)
            .ThenBy(g => g.CreatedAt)
            .ThenBy(g => g.Id, StringComparer.Ordinal)
            .ToList();
        var balanceBefore = grants.Sum(g => g.Remaining);
        var spent = 0L;
        foreach (var grant in grants)
        {
            var take = Math.Min(grant.Remaining, amount - spent);
            if (take <= 0)
            {
                break;
            }

            grant.Remaining -= take;
            spent += take;
            db.CreditLedger.Add(new CreditLedgerEntry
            {
                Id = PrefixedId.New("cle"),
                UserId = userId,
                Type = "consumption",
                Amount = -take,
                Currency = currency,
                GrantId = grant.Id,
                UsageInvoiceId = usageInvoiceId,
                Description = description,
                CreatedAt = now,
            });
        }

        var balanceAfter = balanceBefore - spent;
        if (lowBalanceThreshold > 0 && spent > 0 && balanceBefore >= lowBalanceThreshold && balanceAfter < lowBalanceThreshold)
        {
            db.AddIntegrationEvent(new CreditBalanceDropped(IntegrationEventIds.New(now), now, userId, balanceAfter, lowBalanceThreshold, currency));
        }

        return spent;
    }

    /// <summary>Adds a grant and its ledger entry.</summary>
    public static CreditGrant Grant(UsageDbContext db, string userId, long amount, string currency, DateTimeOffset? expiresAt, string reason, string source, string? checkoutSessionId, DateTimeOffset now)
    {
        var grant = new CreditGrant
        {
            Id = PrefixedId.New("cgr"),
            UserId = userId,
            Amount = amount,
            Remaining = amount,
            Currency = currency,
            ExpiresAt = expiresAt,
            Reason = reason,
            Source = source,
            CheckoutSessionId = checkoutSessionId,
            CreatedAt = now,
        };
        db.CreditGrants.Add(grant);
        db.CreditLedger.Add(new CreditLedgerEntry
        {
            Id = PrefixedId.New("cle"),
            UserId = userId,
            Type = "grant",
            Amount = amount,
            Currency = currency,
            GrantId = grant.Id,
            Description = reason,
            CreatedAt = now,
        });
        return grant;
    }
}
