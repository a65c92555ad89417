using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Usage;
using Monetization.Usage.Data;

namespace Monetization.Usage.Domain;

/// <summary>
/// Voiding a usage invoice that was not paid (issue 20; docs/adr/0070), inside the caller's transaction: the invoice becomes
/// <see cref="UsageInvoiceStatus.Void"/>, every credit spent on it goes back to the grant it came from (a <c>reversal</c>
/// ledger entry per consumption entry, so the balance is what it was before the invoice), and each plugin line is announced
/// <see cref="UsageChargeVoided"/> so Marketplace drops the uncollected charge. Exactly once: the status moves with one
/// conditional UPDATE (not paid, not void), so of two concurrent voids (the route and the webhook) one does it and the other
/// finds it done. The caller saves and commits.
/// </summary>
internal static class UsageVoiding
{
    /// <summary>The ledger entry type of credits given back by a void.</summary>
    public const string ReversalEntryType = "reversal";

    /// <summary>Voids <paramref name="usageInvoiceId"/>; false when it is paid or void already (nothing changes).</summary>
    public static async Task<bool> VoidAsync(UsageDbContext db, string usageInvoiceId, DateTimeOffset now, CancellationToken ct)
    {
        var won = await db.Invoices
            .Where(i => i.Id == usageInvoiceId && i.Status != UsageInvoiceStatus.Paid && i.Status != UsageInvoiceStatus.Void)
            .ExecuteUpdateAsync(
                s => s.SetProperty(i => i.Status, UsageInvoiceStatus.Void)
                    .SetProperty(i => i.StripeStatus, i => i.StripeInvoiceId == null ? i.StripeStatus : "void")
                    .SetProperty(i => i.LastError, (string?)null)
                    .SetProperty(i => i.UpdatedAt, now),
                ct);
        if (won == 0)
        {
            return false;
        }

        var invoice = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleAsync(i => i.Id == usageInvoiceId, ct);
        var spent = await db.CreditLedger.Where(e => e.UsageInvoiceId == usageInvoiceId && e.Type == "consumption").ToListAsync(ct);
        foreach (var entry in spent)
        {
            var grant = await db.CreditGrants.SingleAsync(g => g.Id == entry.GrantId, ct);
            grant.Remaining += -entry.Amount;
            db.CreditLedger.Add(new CreditLedgerEntry
            {
                Id = PrefixedId.New("cle"),
                UserId = entry.UserId,
                Type = ReversalEntryType,
                Amount = -entry.Amount,
                Currency = entry.Currency,
                GrantId = entry.GrantId,
                UsageInvoiceId = usageInvoiceId,
                Description = $"Usage invoice {invoice.Number} voided: credits given back",
                CreatedAt = now,
            });
        }

        foreach (var line in invoice.Lines.Where(l => l.PluginId is not null && l.Amount > 0))
        {
            db.AddIntegrationEvent(new UsageChargeVoided(IntegrationEventIds.New(now), now, line.Id, invoice.Id, invoice.UserId, line.PluginId!, invoice.Period, line.Amount, line.Currency));
        }

        return true;
    }
}
