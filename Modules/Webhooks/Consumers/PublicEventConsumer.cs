using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Delivery;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Consumers;

/// <summary>
/// Base of the module's consumers: <see cref="Translate"/> says which public events an integration event becomes; when no
/// enabled endpoint receives any of them nothing is written (not even the inbox row), otherwise the messages and
/// deliveries are written with the inbox row in one transaction, and the delivery worker is woken.
/// </summary>
/// <typeparam name="TEvent">The integration event consumed.</typeparam>
internal abstract class PublicEventConsumer<TEvent>(WebhooksDbContext db, TimeProvider clock, WebhookFanOut fanOut, WebhookDeliveryWorker worker)
    : IdempotentConsumer<TEvent, WebhooksDbContext>(db, clock)
    where TEvent : IIntegrationEvent
{
    /// <summary>The public events <paramref name="integrationEvent"/> becomes (none is fine).</summary>
    protected abstract IEnumerable<PublicEvent> Translate(TEvent integrationEvent);

    /// <inheritdoc />
    protected override async ValueTask<bool> ConcernsAsync(TEvent integrationEvent, CancellationToken cancellationToken)
    {
        var types = Translate(integrationEvent).Select(e => e.Type).ToList();
        return types.Count > 0 && await fanOut.Directory.AnySubscribedAsync(types, cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task HandleAsync(TEvent integrationEvent, CancellationToken cancellationToken)
    {
        if (await fanOut.AddAsync(Db, integrationEvent.EventId, Translate(integrationEvent).ToList(), Clock.GetUtcNow(), cancellationToken) > 0)
        {
            Db.AfterCommit(worker.Wake);
        }
    }
}
