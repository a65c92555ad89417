using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Usage;
using Monetization.Usage.Data;

namespace Monetization.Usage.Domain;

/// <summary>
/// What Marketplace is told about a usage invoice's plugin lines (issue 20), in the caller's transaction: revenue is
/// earned only when the invoice is paid (credits count as paid), so a line is <see cref="UsageChargeBilled"/> while its
/// invoice is open or its payment failed, and <see cref="UsageCharged"/> once, when the invoice becomes paid.
/// </summary>
internal static class UsageRevenue
{
    /// <summary>Publishes <see cref="UsageCharged"/> for each plugin line of a paid invoice.</summary>
    public static void Paid(UsageDbContext db, UsageInvoice invoice, DateTimeOffset paidAt)
    {
        foreach (var line in invoice.Lines.Where(l => l.PluginId is not null && l.Amount > 0))
        {
            db.AddIntegrationEvent(new UsageCharged(IntegrationEventIds.New(paidAt), paidAt, line.Id, invoice.Id, invoice.UserId, line.PluginId!, invoice.Period,
                line.Quantity, line.Amount, line.Currency, invoice.StripeInvoiceId));
        }
    }

    /// <summary>Publishes <see cref="UsageChargeBilled"/> for each plugin line of an invoice not (yet) paid.</summary>
    public static void Pending(UsageDbContext db, UsageInvoice invoice, DateTimeOffset now, bool paymentFailed)
    {
        foreach (var line in invoice.Lines.Where(l => l.PluginId is not null && l.Amount > 0))
        {
            db.AddIntegrationEvent(new UsageChargeBilled(IntegrationEventIds.New(now), now, line.Id, invoice.Id, invoice.UserId, line.PluginId!, invoice.Period,
                line.Quantity, line.Amount, line.Currency, paymentFailed));
        }
    }
}
