using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Data;

/// <summary>
/// Writes new revenue events with one prepared <c>INSERT</c> executed per row, in the caller's transaction: the write of a
/// consumer's run of purchases (issue 22). EF Core sends each of its inserts as a new command whose SQL SQLite parses
/// again (26 parameters, 8 b-trees), which made the insert most of a purchase's cost on the outbox path; rows written
/// here are not tracked, so callers keep their own record of what they added. Column values are stored as the model
/// stores them (times as UTC ticks on SQLite, <c>timestamptz</c> on PostgreSQL, where the rows go as one batch), which the
/// module's schema test and the purchase tests read back through EF Core.
/// </summary>
internal static class RevenueEventStore
{
    private const string InsertSql =
        "INSERT INTO RevenueEvents (Id, SourceId, Kind, DeveloperId, PluginId, InstallId, UserId, Gross, DeveloperShare, PlatformShare, "
        + "Currency, RevenueShareBps, Period, EarnedAt, AvailableAt, StripeInvoiceId, StripeChargeId, StripePaymentIntentId, RefundOfEventId, "
        + "RefundedGross, PayoutId, TransferId, TransferReversalId, ReversalCallId, PaidAt, BucketDay) "
        + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)";

    private const string PostgresInsertSql =
        "INSERT INTO \"RevenueEvents\" (\"Id\", \"SourceId\", \"Kind\", \"DeveloperId\", \"PluginId\", \"InstallId\", \"UserId\", \"Gross\", "
        + "\"DeveloperShare\", \"PlatformShare\", \"Currency\", \"RevenueShareBps\", \"Period\", \"EarnedAt\", \"AvailableAt\", \"StripeInvoiceId\", "
        + "\"StripeChargeId\", \"StripePaymentIntentId\", \"RefundOfEventId\", \"RefundedGross\", \"PayoutId\", \"TransferId\", "
        + "\"TransferReversalId\", \"ReversalCallId\", \"PaidAt\", \"BucketDay\") "
        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)";

    /// <summary>Inserts <paramref name="events"/> (new ids and source ids) inside the open transaction of <paramref name="db"/>.</summary>
    /// <exception cref="Microsoft.Data.Sqlite.SqliteException">A constraint failed (a source id already stored): the caller's transaction is to be rolled back.</exception>
    /// <exception cref="Npgsql.PostgresException">The same on PostgreSQL.</exception>
    public static async Task InsertAsync(MarketplaceDbContext db, IReadOnlyList<RevenueEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        // Opened for the statements below and closed after (inside the caller's transaction it stays open until the
        // commit), so the context does not keep the connection past the transaction.
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            if (db.IsPostgres())
            {
                await PostgresBatch.ExecuteAsync(db, PostgresInsertSql, events.Select(e => new object?[]
                {
                    e.Id, e.SourceId, e.Kind, e.DeveloperId, e.PluginId, e.InstallId, e.UserId, e.Gross, e.DeveloperShare, e.PlatformShare,
                    e.Currency, e.RevenueShareBps, e.Period, e.EarnedAt, e.AvailableAt, e.StripeInvoiceId, e.StripeChargeId,
                    e.StripePaymentIntentId, e.RefundOfEventId, e.RefundedGross, e.PayoutId, e.TransferId, e.TransferReversalId,
                    e.ReversalCallId, e.PaidAt, e.BucketDay,
                }).ToList(), cancellationToken);
                return;
            }

            using var statement = SqliteStatement.Prepare(db.Database.GetDbConnection(), InsertSql);
            foreach (var e in events)
            {
                cancellationToken.ThrowIfCancellationRequested();
                statement.Bind(1, e.Id);
                statement.Bind(2, e.SourceId);
                statement.Bind(3, e.Kind);
                statement.Bind(4, e.DeveloperId);
                statement.Bind(5, e.PluginId);
                statement.Bind(6, e.InstallId);
                statement.Bind(7, e.UserId);
                statement.Bind(8, e.Gross);
                statement.Bind(9, e.DeveloperShare);
                statement.Bind(10, e.PlatformShare);
                statement.Bind(11, e.Currency);
                statement.Bind(12, e.RevenueShareBps);
                statement.Bind(13, e.Period);
                statement.Bind(14, e.EarnedAt.UtcTicks);
                statement.Bind(15, e.AvailableAt.UtcTicks);
                statement.Bind(16, e.StripeInvoiceId);
                statement.Bind(17, e.StripeChargeId);
                statement.Bind(18, e.StripePaymentIntentId);
                statement.Bind(19, e.RefundOfEventId);
                statement.Bind(20, e.RefundedGross);
                statement.Bind(21, e.PayoutId);
                statement.Bind(22, e.TransferId);
                statement.Bind(23, e.TransferReversalId);
                statement.Bind(24, e.ReversalCallId);
                statement.Bind(25, e.PaidAt?.UtcTicks);
                statement.Bind(26, e.BucketDay.UtcTicks);
                statement.Execute();
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
