using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Consumers;

/// <summary>
/// <c>InvoiceVoided</c> of one of our usage invoices' Stripe invoices (Stripe's <c>invoice.voided</c>: voided in the
/// Dashboard, or by <c>POST /v1/usage/invoices/{id}/void</c>): the usage invoice is voided as the route does it
/// (<see cref="UsageVoiding"/>: credits given back once, plugin charges dropped). A paid or already void usage invoice, or
/// another invoice, changes nothing.
/// </summary>
internal sealed class VoidUsageInvoiceOnStripeVoid(UsageDbContext db, TimeProvider clock)
    : IdempotentConsumer<InvoiceVoided, UsageDbContext>(db, clock)
{
    protected override async ValueTask<bool> ConcernsAsync(InvoiceVoided integrationEvent, CancellationToken cancellationToken) =>
        UsageInvoiceMetadata.IsUsageInvoice(integrationEvent.Metadata)
        && await Db.Invoices.AnyAsync(
            i => i.StripeInvoiceId == integrationEvent.InvoiceId && i.Status != UsageInvoiceStatus.Paid && i.Status != UsageInvoiceStatus.Void,
            cancellationToken);

    protected override async Task HandleAsync(InvoiceVoided integrationEvent, CancellationToken cancellationToken)
    {
        var id = await Db.Invoices.AsNoTracking().Where(i => i.StripeInvoiceId == integrationEvent.InvoiceId).Select(i => i.Id).SingleOrDefaultAsync(cancellationToken);
        if (id is not null)
        {
            await UsageVoiding.VoidAsync(Db, id, integrationEvent.OccurredAt, cancellationToken);
        }
    }
}
