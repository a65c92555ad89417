using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Delivery;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Consumers;

/// <summary><c>InvoicePaymentFailed</c> → <c>payment.failed</c>, with the grace period's end (access is kept until then).</summary>
internal sealed class TellPaymentFailures(WebhooksDbContext db, TimeProvider clock, WebhookFanOut fanOut, WebhookDeliveryWorker worker)
    : PublicEventConsumer<InvoicePaymentFailed>(db, clock, fanOut, worker)
{
    protected override IEnumerable<PublicEvent> Translate(InvoicePaymentFailed e) =>
    [
        new PublicEvent(WebhookEventTypes.PaymentFailed, e.UserId, e.OccurredAt, new
        {
            e.UserId,
            e.InvoiceId,
            e.StripeSubscriptionId,
            e.AmountDue,
            e.Currency,
            e.AttemptCount,
            e.NextPaymentAttempt,
            e.GracePeriodEnd,
        }),
    ];
}
