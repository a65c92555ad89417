using System.Globalization;
using Microsoft.Data.Sqlite;
using Monetization.Bench.Baselines;
using Monetization.BuildingBlocks.Billing;

namespace Monetization.Bench.Seeding;

/// <summary>
/// Seeds one-time purchase revenue events straight into the Marketplace module's SQLite file (<c>marketplace.db</c>, its
/// own schema as its migration created it), while the Host is stopped, following the module's ledger rules
/// (Marketplace <c>RevenueLedger.RecordAsync</c>): split with <see cref="Money.SplitBps"/> at the developer's share, period
/// of the earning instant, available at the next UTC midnight after the hold (<c>Marketplace:HoldDays</c>, default 14),
/// bucketed by that day. The earnings aggregate (<c>EarningsBuckets</c>) of the developer is then rebuilt from all of
/// its revenue events (those the Host recorded itself included) with the same grouping the ledger uses. This is what
/// loading 1,000,000 events through webhooks would leave in the file, without the hours it would take.
/// </summary>
internal static class MarketplaceSeeder
{
    public static async Task<long> SeedAsync(string dataDirectory, string developerId, string pluginId, long count, long gross, string currency,
        DateTimeOffset from, DateTimeOffset to, int holdDays, string tag, CancellationToken ct)
    {
        var file = Path.Combine(dataDirectory, "marketplace.db");
        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"{file} does not exist: the Host did not create the Marketplace database.");
        }

        await using var connection = await Sqlite.OpenAsync(Sqlite.ConnectionString(file), ct);
        foreach (var table in new[] { "RevenueEvents", "EarningsBuckets", "Developers" })
        {
            await using var exists = connection.CreateCommand();
            exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $t";
            exists.Parameters.AddWithValue("$t", table);
            if ((long)(await exists.ExecuteScalarAsync(ct))! == 0)
            {
                throw new InvalidOperationException($"marketplace.db has no {table} table: the Marketplace schema differs from what the seeder knows.");
            }
        }

        int bps;
        await using (var share = connection.CreateCommand())
        {
            share.CommandText = "SELECT RevenueShareBps FROM Developers WHERE Id = $d";
            share.Parameters.AddWithValue("$d", developerId);
            bps = Convert.ToInt32(await share.ExecuteScalarAsync(ct) ?? throw new InvalidOperationException($"developer {developerId} not found"), CultureInfo.InvariantCulture);
        }

        var (developerShare, platformShare) = Money.Of(gross, currency).SplitBps(bps);
        var spanMs = Math.Max(1, (long)(to - from).TotalMilliseconds);
        await using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO RevenueEvents (Id, SourceId, Kind, DeveloperId, PluginId, InstallId, UserId, Gross, DeveloperShare, PlatformShare,
                Currency, RevenueShareBps, Period, EarnedAt, AvailableAt, StripeInvoiceId, StripeChargeId, StripePaymentIntentId,
                RefundOfEventId, RefundedGross, PayoutId, TransferId, TransferReversalId, PaidAt, BucketDay)
            VALUES ($id, $source, 'purchase', $dev, $plugin, NULL, $user, $gross, $devShare, $platShare,
                $currency, $bps, $period, $earned, $available, NULL, NULL, $pi,
                NULL, 0, NULL, NULL, NULL, NULL, $available)
            """;
        var names = new[] { "$id", "$source", "$dev", "$plugin", "$user", "$gross", "$devShare", "$platShare", "$currency", "$bps", "$period", "$earned", "$available", "$pi" };
        foreach (var name in names)
        {
            insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        insert.Prepare();
        long inserted = 0;
        for (long start = 0; start < count; start += 10_000)
        {
            ct.ThrowIfCancellationRequested();
            using var transaction = connection.BeginTransaction();
            insert.Transaction = transaction;
            for (var i = start; i < Math.Min(count, start + 10_000); i++)
            {
                var earned = from.AddMilliseconds(i * 104_729 % spanMs);
                var available = CeilingToDay(earned.AddDays(holdDays));
                var session = $"cs_test_seed{tag}{i:D10}";
                insert.Parameters[0].Value = PrefixedId.New("rev");
                insert.Parameters[1].Value = session;
                insert.Parameters[2].Value = developerId;
                insert.Parameters[3].Value = pluginId;
                insert.Parameters[4].Value = $"user_rev_{i % 1000:D4}";
                insert.Parameters[5].Value = gross;
                insert.Parameters[6].Value = developerShare.Amount;
                insert.Parameters[7].Value = platformShare.Amount;
                insert.Parameters[8].Value = developerShare.Currency;
                insert.Parameters[9].Value = bps;
                insert.Parameters[10].Value = BillingPeriod.Containing(earned).ToString();
                insert.Parameters[11].Value = earned.UtcTicks;
                insert.Parameters[12].Value = available.UtcTicks;
                insert.Parameters[13].Value = "pi_seed" + session[12..];
                inserted += insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        await using (var rebuild = connection.CreateCommand())
        {
            rebuild.CommandText = """
                DELETE FROM EarningsBuckets WHERE DeveloperId = $d;
                INSERT INTO EarningsBuckets (DeveloperId, Period, PluginId, Currency, AvailableOn, Events, Gross, Refunded, DeveloperShare, PlatformShare, DeveloperPaid)
                SELECT DeveloperId, Period, PluginId, Currency, BucketDay, count(*),
                       sum(CASE WHEN Kind = 'refund' THEN 0 ELSE Gross END), sum(CASE WHEN Kind = 'refund' THEN -Gross ELSE 0 END),
                       sum(DeveloperShare), sum(PlatformShare), 0
                FROM RevenueEvents WHERE DeveloperId = $d
                GROUP BY DeveloperId, Period, PluginId, Currency, BucketDay;
                PRAGMA wal_checkpoint(TRUNCATE);
                """;
            rebuild.Parameters.AddWithValue("$d", developerId);
            await rebuild.ExecuteNonQueryAsync(ct);
        }

        return inserted;
    }

    private static DateTimeOffset CeilingToDay(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        var day = new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
        return day == utc ? day : day.AddDays(1);
    }
}
