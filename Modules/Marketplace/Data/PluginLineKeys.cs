using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Data;

namespace Monetization.Marketplace.Data;

/// <summary>
/// Which of a run of invoice lines' keys the marketplace knows: the Stripe subscription items an install has
/// (<c>Installs.StripeSubscriptionItemId</c>) and the Stripe prices a plugin has (<c>Plugins.StripePriceId</c>). Asked by
/// <c>RecordSubscriptionRevenue</c> once per run of paid invoices (issue 22). On SQLite each key is one probe of a prepared
/// statement on the column's index: a LINQ <c>Contains</c> over the run's keys made EF Core build and process the query on
/// every run, which cost more than the one compiled query per line it replaced (docs/performance.md, twentieth session). On
/// PostgreSQL the keys go as one <c>text[]</c> per column.
/// </summary>
internal static class PluginLineKeys
{
    private const string InstalledItemSql = "SELECT 1 FROM Installs WHERE StripeSubscriptionItemId = ?1 LIMIT 1";

    private const string PluginPriceSql = "SELECT 1 FROM Plugins WHERE StripePriceId = ?1 LIMIT 1";

    private const string PostgresInstalledItemsSql = "SELECT DISTINCT \"StripeSubscriptionItemId\" AS \"Value\" FROM \"Installs\" WHERE \"StripeSubscriptionItemId\" = ANY({0})";

    private const string PostgresPluginPricesSql = "SELECT DISTINCT \"StripePriceId\" AS \"Value\" FROM \"Plugins\" WHERE \"StripePriceId\" = ANY({0})";

    /// <summary>
    /// The subset of <paramref name="itemIds"/> that some install has as its subscription item, and the subset of
    /// <paramref name="priceIds"/> that some plugin has as its price (ordinal comparison, as the columns compare).
    /// Reads only, outside any transaction.
    /// </summary>
    public static async Task<(HashSet<string> InstalledItems, HashSet<string> PluginPrices)> KnownAsync(
        MarketplaceDbContext db, IReadOnlyCollection<string> itemIds, IReadOnlyCollection<string> priceIds, CancellationToken cancellationToken)
    {
        if (itemIds.Count == 0 && priceIds.Count == 0)
        {
            return ([], []);
        }

        if (db.IsPostgres())
        {
            return (await PostgresSubsetAsync(db, PostgresInstalledItemsSql, itemIds, cancellationToken),
                await PostgresSubsetAsync(db, PostgresPluginPricesSql, priceIds, cancellationToken));
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            return (Probe(connection, InstalledItemSql, itemIds), Probe(connection, PluginPriceSql, priceIds));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static HashSet<string> Probe(System.Data.Common.DbConnection connection, string sql, IReadOnlyCollection<string> keys)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return found;
        }

        using var probe = SqliteStatement.Prepare(connection, sql);
        foreach (var key in keys)
        {
            probe.Bind(1, key);
            if (probe.Read())
            {
                found.Add(key);
            }

            probe.Reset();
        }

        return found;
    }

    private static async Task<HashSet<string>> PostgresSubsetAsync(MarketplaceDbContext db, string sql, IReadOnlyCollection<string> keys, CancellationToken cancellationToken) =>
        keys.Count == 0
            ? []
            : (await db.Database.SqlQueryRaw<string>(sql, new object[] { keys.ToArray() }).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
}
