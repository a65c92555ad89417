using Monetization.IntegrationEvents.Usage;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Delivery;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Consumers;

/// <summary><c>CreditBalanceDropped</c> → <c>credits.low_balance</c>.</summary>
internal sealed class TellLowCreditBalances(WebhooksDbContext db, TimeProvider clock, WebhookFanOut fanOut, WebhookDeliveryWorker worker)
    : PublicEventConsumer<CreditBalanceDropped>(db, clock, fanOut, worker)
{
    protected override IEnumerable<PublicEvent> Translate(CreditBalanceDropped e) =>
        [new PublicEvent(WebhookEventTypes.CreditsLowBalance, e.UserId, e.OccurredAt, new { e.UserId, e.Balance, e.Threshold, e.Currency })];
}
