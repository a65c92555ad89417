using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using System.Data.Common;

namespace Monetization.BuildingBlocks.Outbox;

/// <summary>Wakes one module's dispatcher; signals coalesce (a burst of commits wakes it once).</summary>
/// <typeparam name="TDbContext">The module's context.</typeparam>
public sealed class OutboxSignal<TDbContext>
    where TDbContext : ModuleDbContext
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _count;

    /// <summary>
    /// How many times <see cref="Signal"/> has been called in this process. A dispatcher that sees it change knows that rows
    /// were committed (or put back in line) since it last looked, so it claims without asking the database first whether
    /// anything is due.
    /// </summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Asks the dispatcher to look at the outbox now.</summary>
    public void Signal()
    {
        Interlocked.Increment(ref _count);
        _channel.Writer.TryWrite(true);
    }

    /// <summary>Waits for a signal or the timeout, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await _channel.Reader.ReadAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The poll interval elapsed: the polling fallback.
        }
    }
}

/// <summary>
/// Signals the module's dispatcher right after outbox rows are committed: after <c>SaveChanges</c> outside a
/// transaction, or when the surrounding transaction commits.
/// </summary>
/// <typeparam name="TDbContext">The module's context.</typeparam>
public sealed class OutboxCommitInterceptor<TDbContext>(OutboxSignal<TDbContext> signal) : SaveChangesInterceptor, IDbTransactionInterceptor
    where TDbContext : ModuleDbContext
{
    /// <inheritdoc />
    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        MarkIfOutboxAdded(eventData?.Context);
        return base.SavingChangesAsync(eventData!, result, cancellationToken);
    }

    /// <inheritdoc />
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        MarkIfOutboxAdded(eventData?.Context);
        return base.SavingChanges(eventData!, result);
    }

    /// <inheritdoc />
    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        SignalIfCommitted(eventData?.Context);
        return base.SavedChangesAsync(eventData!, result, cancellationToken);
    }

    /// <inheritdoc />
    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        SignalIfCommitted(eventData?.Context);
        return base.SavedChanges(eventData!, result);
    }

    /// <summary>
    /// A transaction starting on a context whose pending rows belong to an earlier transaction: that one ended without
    /// commit or rollback (disposed, which raises no interceptor event), so its rows are gone and nothing is pending.
    /// Npgsql reuses a connection's transaction object, so the check at commit alone could take a later transaction for
    /// the abandoned one. SaveChanges' own transaction starts after its rows were marked, with no transaction recorded.
    /// </summary>
    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(TransactionStarted(connection, eventData, result));

    /// <inheritdoc cref="TransactionStartedAsync" />
    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        if (eventData?.Context is ModuleDbContext { OutboxSignalTransaction: not null } context)
        {
            context.ClearOutboxSignal();
            context.DropAfterCommit();
        }

        return result;
    }

    /// <inheritdoc />
    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData?.Context is not ModuleDbContext context)
        {
            return;
        }

        // Only rows saved in this transaction (or in SaveChanges' own, which records none). A transaction disposed without
        // commit or rollback raises no interceptor event, and the module contexts are pooled: its pending rows, rolled
        // back with it, must not signal at the next user's commit.
        if (context.OutboxSignalPending && (context.OutboxSignalTransaction is null || ReferenceEquals(context.OutboxSignalTransaction, transaction)))
        {
            signal.Signal();
        }

        context.ClearOutboxSignal();
        context.RunAfterCommit();
    }

    /// <inheritdoc />
    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData?.Context is ModuleDbContext context)
        {
            context.ClearOutboxSignal();
            context.DropAfterCommit();
        }
    }

    private static void MarkIfOutboxAdded(DbContext? context)
    {
        if (context is not ModuleDbContext module)
        {
            return;
        }

        // Outbox rows are only ever added (AddIntegrationEvent), never discovered through navigations, so their Added state
        // is known without a change scan; Entries() would otherwise run a second full DetectChanges per SaveChanges.
        var tracker = module.ChangeTracker;
        var autoDetect = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            var added = tracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added);
            var transaction = module.Database.CurrentTransaction?.GetDbTransaction();
            if (transaction is null)
            {
                // Its own commit: pending is whether this save adds rows, whatever an abandoned transaction left.
                module.OutboxSignalPending = added;
                module.OutboxSignalTransaction = null;
            }
            else if (added)
            {
                module.OutboxSignalPending = true;
                module.OutboxSignalTransaction = transaction;
            }
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = autoDetect;
        }
    }

    private void SignalIfCommitted(DbContext? context)
    {
        if (context is not ModuleDbContext module || module.Database.CurrentTransaction is not null)
        {
            return;
        }

        if (module.OutboxSignalPending)
        {
            module.ClearOutboxSignal();
            signal.Signal();
        }

        module.RunAfterCommit();
    }
}
