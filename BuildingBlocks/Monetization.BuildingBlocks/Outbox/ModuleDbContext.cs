using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Monetization.IntegrationEvents;

namespace Monetization.BuildingBlocks.Outbox;

/// <summary>
/// Base of every module's DbContext: adds the module's outbox and inbox tables, and stores every
/// <see cref="DateTimeOffset"/> as UTC ticks (an INTEGER, so SQLite can compare and order it; values are UTC).
/// A handler raises an integration event with <see cref="AddIntegrationEvent"/>; it is committed by the same
/// <c>SaveChanges</c> as the handler's other changes and published by the module's dispatcher after commit.
/// </summary>
public abstract class ModuleDbContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>Events waiting for dispatch, and the delivered ones.</summary>
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    /// <summary>Events this module's consumers have handled.</summary>
    public DbSet<InboxMessage> Inbox => Set<InboxMessage>();

    /// <summary>Set while this context saved outbox rows inside a transaction that has not committed yet.</summary>
    internal bool OutboxSignalPending { get; set; }

    /// <summary>Queues an integration event in the outbox; it is stored by the next <c>SaveChanges</c>.</summary>
    /// <param name="integrationEvent">The event; its type must be in <see cref="IntegrationEventRegistry"/>.</param>
    /// <exception cref="InvalidOperationException">The event type is not registered.</exception>
    public void AddIntegrationEvent(IIntegrationEvent integrationEvent)
    {
        ArgumentNullException.ThrowIfNull(integrationEvent);
        Outbox.Add(new OutboxMessage
        {
            EventId = integrationEvent.EventId,
            Type = IntegrationEventRegistry.NameOf(integrationEvent.GetType()),
            Payload = IntegrationEventRegistry.Serialize(integrationEvent),
            OccurredAt = integrationEvent.OccurredAt,
            NextAttemptAt = integrationEvent.OccurredAt,
        });
    }

    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
    }

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<OutboxMessage>(b =>
        {
            b.ToTable("OutboxMessages");
            b.HasKey(m => m.Sequence);
            b.Property(m => m.Sequence).ValueGeneratedOnAdd();
            b.HasIndex(m => m.EventId).IsUnique();
            b.HasIndex(m => new { m.DispatchedAt, m.NextAttemptAt });
            b.Property(m => m.Type).HasMaxLength(200);
        });
        modelBuilder.Entity<InboxMessage>(b =>
        {
            b.ToTable("InboxMessages");
            b.HasKey(m => new { m.EventId, m.Consumer });
            b.Property(m => m.Consumer).HasMaxLength(300);
        });
    }

    /// <summary>Stores a <see cref="DateTimeOffset"/> as its UTC ticks and reads it back with offset zero.</summary>
    public sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));
}
