using MediatR;

namespace Monetization.IntegrationEvents;

/// <summary>
/// A fact one module publishes for the others. It travels through the publisher's transactional outbox and
/// reaches every consumer as a MediatR notification at least once; consumers de-duplicate by <see cref="EventId"/>.
/// Implementations are sealed records with only primitives, strings and small records (docs/architecture.md).
/// </summary>
public interface IIntegrationEvent : INotification
{
    /// <summary>Unique id of this occurrence; the inbox key of every consumer.</summary>
    Guid EventId { get; }

    /// <summary>When the fact happened, UTC.</summary>
    DateTimeOffset OccurredAt { get; }
}
