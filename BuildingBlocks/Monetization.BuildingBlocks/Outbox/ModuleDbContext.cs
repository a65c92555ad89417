using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Monetization.BuildingBlocks.Data;
using Monetization.BuildingBlocks.Telemetry;
using Monetization.IntegrationEvents;

namespace Monetization.BuildingBlocks.Outbox;

/// <summary>
/// Base of every module's DbContext: adds the module's outbox and inbox tables, puts the module's tables in its own
/// schema on PostgreSQL (<see cref="ModuleDatabases.PostgresSchemaOf(DbContextOptions)"/>), and stores every <see cref="DateTimeOffset"/> in UTC:
/// as UTC ticks on SQLite (an INTEGER, so SQLite can compare and order it), as <c>timestamptz</c> on PostgreSQL.
/// A handler raises an integration event with <see cref="AddIntegrationEvent"/>; it is committed by the same
/// <c>SaveChanges</c> as the handler's other changes and published by the module's dispatcher after commit.
/// </summary>
public abstract class ModuleDbContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>The module's PostgreSQL schema; null on SQLite.</summary>
    private readonly string? _postgresSchema = ModuleDatabases.PostgresSchemaOf(options);

    /// <summary>Events waiting for dispatch, and the delivered ones.</summary>
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    /// <summary>Events this module's consumers have handled.</summary>
    public DbSet<InboxMessage> Inbox => Set<InboxMessage>();

    /// <summary>Actions waiting for the current work to commit (<see cref="AfterCommit"/>).</summary>
    private List<Action>? _afterCommit;

    /// <summary>
    /// Runs <paramref name="action"/> once the work now under way commits: when the current transaction commits, or after
    /// the next <c>SaveChanges</c> when there is no transaction; dropped when it rolls back. For waking a background worker
    /// that must see the rows being written: woken before the commit, it finds nothing (PostgreSQL does not make it wait
    /// for the writer as SQLite's write lock did) and sleeps until its next poll.
    /// </summary>
    public void AfterCommit(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        (_afterCommit ??= []).Add(action);
    }

    /// <summary>Runs and forgets the actions waiting for a commit.</summary>
    internal void RunAfterCommit()
    {
        var actions = _afterCommit;
        _afterCommit = null;
        actions?.ForEach(static a => a());
    }

    /// <summary>Forgets the actions waiting for a commit (rolled back, or a new transaction began).</summary>
    internal void DropAfterCommit() => _afterCommit = null;

    /// <summary>Set while this context saved outbox rows inside a transaction that has not committed yet.</summary>
    internal bool OutboxSignalPending { get; set; }

    /// <summary>The transaction <see cref="OutboxSignalPending"/> belongs to; null for SaveChanges' own transaction.</summary>
    internal System.Data.Common.DbTransaction? OutboxSignalTransaction { get; set; }

    /// <summary>Nothing pending any more: the rows were signalled, rolled back or abandoned.</summary>
    internal void ClearOutboxSignal()
    {
        OutboxSignalPending = false;
        OutboxSignalTransaction = null;
    }

    /// <summary>
    /// When set, events added from now on carry this W3C <c>traceparent</c> instead of the current activity's: work done
    /// for a request outside its flow (the Stripe webhook intake's batch writer) keeps each event in its request's trace.
    /// </summary>
    public string? TraceParentOfNewEvents { get; set; }

    /// <summary>The Host's registry (the application's service), else the standard one (a context built outside a Host).</summary>
    private IntegrationEventRegistry Registry =>
        _registry ??= this.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService<IntegrationEventRegistry>()
            ?? IntegrationEventRegistry.Standard;

    private IntegrationEventRegistry? _registry;

    /// <summary>
    /// Begins a transaction as this module database's only writer in this process (<see cref="WriteTransaction"/>): for a
    /// write that slices make by hand (several statements in one transaction) rather than one <c>SaveChanges</c>.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled while waiting for the writer; nothing was begun.</exception>
    public Task<WriteTransaction> BeginWriteTransactionAsync(CancellationToken cancellationToken) => WriteTransaction.BeginAsync(this, cancellationToken);

    /// <summary>Queues an integration event in the outbox; it is stored by the next <c>SaveChanges</c>.</summary>
    /// <param name="integrationEvent">The event; its type must be in the Host's <see cref="IntegrationEventRegistry"/>.</param>
    /// <exception cref="InvalidOperationException">The event type is not registered.</exception>
    public void AddIntegrationEvent(IIntegrationEvent integrationEvent)
    {
        ArgumentNullException.ThrowIfNull(integrationEvent);
        Outbox.Add(new OutboxMessage
        {
            EventId = integrationEvent.EventId,
            Type = Registry.NameOf(integrationEvent.GetType()),
            Payload = IntegrationEventRegistry.Serialize(integrationEvent),
            OccurredAt = integrationEvent.OccurredAt,
            NextAttemptAt = integrationEvent.OccurredAt,
            TraceParent = TraceParentOfNewEvents ?? MonetizationTelemetry.CurrentTraceParent(),
        });
    }

    /// <summary>
    /// Saves, storing new outbox rows first through one prepared statement when a transaction is open (so they commit or
    /// roll back with the rest), because EF Core builds an INSERT with <c>RETURNING</c> for each row and SQLite compiles each
    /// one, a large share of a busy writer's <c>SaveChanges</c> (docs/performance.md). The rows are then no longer tracked (nothing reads an outbox row back from the context that raised it).
    /// Without a transaction EF Core stores them, in the transaction it opens for the save.
    /// </summary>
    /// <exception cref="DbUpdateException">SQLite refused a row (as EF Core would report it).</exception>
    /// <returns>The rows written, outbox rows included.</returns>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var outboxRows = StoreNewOutboxRows();
        return outboxRows + (TrySaveWithPreparedStatements(acceptAllChangesOnSuccess) ?? await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken));
    }

    /// <inheritdoc cref="SaveChangesAsync(bool, CancellationToken)" />
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        var outboxRows = StoreNewOutboxRows();
        return outboxRows + (TrySaveWithPreparedStatements(acceptAllChangesOnSuccess) ?? base.SaveChanges(acceptAllChangesOnSuccess));
    }

    /// <summary>
    /// When set, a <c>SaveChanges</c> inside a transaction on SQLite writes added and modified entities with prepared
    /// statements (<see cref="SqliteTrackedChanges"/>) whenever every change is one it writes, instead of through EF Core's
    /// update pipeline; otherwise EF Core saves as usual. For a writer that saves many entities in its own transaction
    /// again and again: the Stripe webhook batch sets it for its transaction (issue 22, docs/performance.md, twenty-first
    /// session). Off by default.
    /// </summary>
    public bool SaveWithPreparedStatements { get; set; }

    private int? TrySaveWithPreparedStatements(bool acceptAllChangesOnSuccess) =>
        SaveWithPreparedStatements && this.IsSqlite() ? SqliteTrackedChanges.TrySave(this, acceptAllChangesOnSuccess) : null;

    private const string InsertOutboxSql =
        "INSERT INTO OutboxMessages (EventId, Type, Payload, OccurredAt, Attempts, NextAttemptAt, DispatchedAt, DeadLetteredAt, LastError, LockedUntil, LockedBy, TraceParent) "
        + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

    private int StoreNewOutboxRows()
    {
        if (Database.CurrentTransaction is null || !this.IsSqlite())
        {
            return 0;
        }

        // Outbox rows are only ever added (AddIntegrationEvent), so their Added state is known without a change scan.
        var autoDetect = ChangeTracker.AutoDetectChangesEnabled;
        ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            var added = ChangeTracker.Entries<OutboxMessage>().Where(e => e.State == EntityState.Added).ToList();
            if (added.Count == 0)
            {
                return 0;
            }

            using var insert = SqliteStatement.Prepare(Database.GetDbConnection(), InsertOutboxSql);
            foreach (var entry in added)
            {
                var m = entry.Entity;
                insert.Bind(1, m.EventId.ToString("D").ToUpperInvariant()); // as EF Core's SQLite provider stores a Guid
                insert.Bind(2, m.Type);
                insert.Bind(3, m.Payload);
                insert.Bind(4, m.OccurredAt.UtcTicks);
                insert.Bind(5, m.Attempts);
                insert.Bind(6, m.NextAttemptAt.UtcTicks);
                insert.Bind(7, m.DispatchedAt?.UtcTicks);
                insert.Bind(8, m.DeadLetteredAt?.UtcTicks);
                insert.Bind(9, m.LastError);
                insert.Bind(10, m.LockedUntil?.UtcTicks);
                insert.Bind(11, m.LockedBy);
                insert.Bind(12, m.TraceParent);
                try
                {
                    insert.Execute();
                }
                catch (Microsoft.Data.Sqlite.SqliteException e)
                {
                    throw new DbUpdateException($"Storing outbox event {m.EventId} ({m.Type}) failed: {e.Message}", e);
                }

                entry.State = EntityState.Detached;
            }

            OutboxSignalPending = true; // the dispatcher is woken when the transaction commits
            OutboxSignalTransaction = Database.CurrentTransaction?.GetDbTransaction();
            return added.Count;
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
    }

    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        if (_postgresSchema is not null)
        {
            // Npgsql writes a DateTimeOffset to timestamptz only with offset zero: a value with another offset is stored as its UTC instant.
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcConverter>();
            return;
        }

        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
    }

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        if (_postgresSchema is not null)
        {
            modelBuilder.HasDefaultSchema(_postgresSchema);
        }

        modelBuilder.Entity<OutboxMessage>(b =>
        {
            b.ToTable("OutboxMessages");
            b.HasKey(m => m.Sequence);
            b.Property(m => m.Sequence).ValueGeneratedOnAdd();
            b.HasIndex(m => m.EventId).IsUnique();
            b.HasIndex(m => m.Sequence, OutboxMigrations.PendingIndex).HasFilter(OutboxMigrations.PendingFilter);
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

    /// <summary>Stores a <see cref="DateTimeOffset"/> as its UTC instant (PostgreSQL <c>timestamptz</c>, microseconds).</summary>
    public sealed class UtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(v => v.ToUniversalTime(), v => v);
}
