using Monetization.IntegrationEvents.Usage;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Delivery;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Consumers;

/// <summary><c>UsageInvoiceIssued</c> → <c>invoice.usage_issued</c>.</summary>
internal sealed class TellUsageInvoices(WebhooksDbContext db, TimeProvider clock, WebhookFanOut fanOut, WebhookDeliveryWorker worker)
    : PublicEventConsumer<UsageInvoiceIssued>(db, clock, fanOut, worker)
{
    protected override IEnumerable<PublicEvent> Translate(UsageInvoiceIssued e) =>
    [
        new PublicEvent(WebhookEventTypes.UsageInvoiceIssued, e.UserId, e.OccurredAt, new
        {
            e.UserId,
            e.UsageInvoiceId,
            e.Number,
            e.Period,
            e.Subtotal,
            e.CreditsApplied,
            e.AmountDue,
            e.Currency,
            e.Status,
        }),
    ];
}
