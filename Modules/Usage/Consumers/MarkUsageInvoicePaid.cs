using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Consumers;

/// <summary>
/// <c>InvoicePaid</c> of one of our usage invoices' Stripe invoices: Stripe collected it outside our own payment attempt
/// (its retries after a decline, or the customer paying the hosted invoice), so the usage invoice becomes paid and its
/// plugin lines are earned (<c>UsageCharged</c>, issue 20). Other invoices (no <c>metadata[usage_invoice_id]</c>, or not
/// stored here) are declined without writing anything.
/// </summary>
internal sealed class MarkUsageInvoicePaid(UsageDbContext db, TimeProvider clock)
    : IdempotentConsumer<InvoicePaid, UsageDbContext>(db, clock)
{
    protected override async ValueTask<bool> ConcernsAsync(InvoicePaid integrationEvent, CancellationToken cancellationToken) =>
        UsageInvoiceMetadata.IsUsageInvoice(integrationEvent.Metadata)
        && await Db.Invoices.AnyAsync(i => i.StripeInvoiceId == integrationEvent.InvoiceId && i.Status != UsageInvoiceStatus.Paid, cancellationToken);

    protected override async Task HandleAsync(InvoicePaid integrationEvent, CancellationToken cancellationToken)
    {
        var invoice = await Db.Invoices.Include(i => i.Lines)
            .SingleOrDefaultAsync(i => i.StripeInvoiceId == integrationEvent.InvoiceId && i.Status != UsageInvoiceStatus.Paid, cancellationToken);
        if (invoice is null)
        {
            return;
        }

        invoice.Status = UsageInvoiceStatus.Paid;
        invoice.StripeStatus = "paid";
        invoice.PaidAt = integrationEvent.OccurredAt;
        invoice.LastError = null;
        invoice.UpdatedAt = Clock.GetUtcNow();
        UsageRevenue.Paid(Db, invoice, integrationEvent.OccurredAt);
    }
}
