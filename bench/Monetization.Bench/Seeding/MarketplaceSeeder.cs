using System.Globalization;
using Microsoft.Data.Sqlite;
using Monetization.Bench.Baselines;
using Monetization.BuildingBlocks.Billing;
using Npgsql;
using NpgsqlTypes;

namespace Monetization.Bench.Seeding;

/// <summary>
/// Seeds one-time purchase revenue events straight into the Marketplace module's SQLite file (<c>marketplace.db</c>, its
/// own schema as its migration created it), while the Host is stopped, following the module's ledger rules
/// (Marketplace <c>RevenueLedger.RecordAsync</c>): split with <see cref="Money.SplitBps"/> at the developer's share, period
/// of the earning instant, available at the next UTC midnight after the hold (<c>Marketplace:HoldDays</c>, default 14),
/// bucketed by that day. The earnings aggregate (<c>EarningsBuckets</c>) of the developer is then rebuilt from all of
/// its revenue events (those the Host recorded itself included) with the same grouping the ledger uses. This is what
/// loading 1,000,000 events through webhooks would leave in the file, without the hours it would take.
/// On PostgreSQL (issue 17) the same rows go into the <c>marketplace</c> schema of the run's database with binary <c>COPY</c>,
/// and the aggregate is rebuilt with the same grouping.
/// </summary>
internal static class MarketplaceSeeder
{
    /// <summary>Seeds <paramref name="count"/> purchases of <paramref name="gross"/> minor units each; returns the rows written.</summary>
    public static async Task<long> SeedAsync(string dataDirectory, BenchDatabase database, string developerId, string pluginId, long count, long gross, string currency,
        DateTimeOffset from, DateTimeOffset to, int holdDays, string tag, CancellationToken ct)
    {
        if (database.ConnectionString is { } postgres)
        {
            return await SeedPostgresAsync(postgres, developerId, pluginId, count, gross, currency, from, to, holdDays, tag, ct);
        }

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
            foreach (var row in Rows(start, Math.Min(count, start + 10_000), gross, currency, bps, from, to, holdDays, tag))
            {
                insert.Parameters[0].Value = row.Id;
                insert.Parameters[1].Value = row.SourceId;
                insert.Parameters[2].Value = developerId;
                insert.Parameters[3].Value = pluginId;
                insert.Parameters[4].Value = row.UserId;
                insert.Parameters[5].Value = gross;
                insert.Parameters[6].Value = row.DeveloperShare.Amount;
                insert.Parameters[7].Value = row.PlatformShare.Amount;
                insert.Parameters[8].Value = row.DeveloperShare.Currency;
                insert.Parameters[9].Value = bps;
                insert.Parameters[10].Value = row.Period;
                insert.Parameters[11].Value = row.EarnedAt.UtcTicks;
                insert.Parameters[12].Value = row.AvailableAt.UtcTicks;
                insert.Parameters[13].Value = row.PaymentIntentId;
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

    private static async Task<long> SeedPostgresAsync(string connectionString, string developerId, string pluginId, long count, long gross, string currency,
        DateTimeOffset from, DateTimeOffset to, int holdDays, string tag, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = "marketplace", CommandTimeout = 600 }.ConnectionString);
        await connection.OpenAsync(ct);
        int bps;
        await using (var share = new NpgsqlCommand("SELECT \"RevenueShareBps\" FROM \"Developers\" WHERE \"Id\" = $1", connection))
        {
            share.Parameters.Add(new NpgsqlParameter<string> { TypedValue = developerId });
            bps = Convert.ToInt32(await share.ExecuteScalarAsync(ct) ?? throw new InvalidOperationException($"developer {developerId} not found"), CultureInfo.InvariantCulture);
        }

        long written = 0;
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY \"RevenueEvents\" (\"Id\", \"SourceId\", \"Kind\", \"DeveloperId\", \"PluginId\", \"UserId\", \"Gross\", \"DeveloperShare\", \"PlatformShare\", "
            + "\"Currency\", \"RevenueShareBps\", \"Period\", \"EarnedAt\", \"AvailableAt\", \"StripePaymentIntentId\", \"RefundedGross\", \"BucketDay\") FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var row in Rows(0, count, gross, currency, bps, from, to, holdDays, tag))
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(row.Id, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(row.SourceId, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync("purchase", NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(developerId, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(pluginId, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(row.UserId, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(gross, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(row.DeveloperShare.Amount, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(row.PlatformShare.Amount, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(row.DeveloperShare.Currency, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(bps, NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(row.Period, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(row.EarnedAt.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(row.AvailableAt.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(row.PaymentIntentId, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(0L, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(row.AvailableAt.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
                written++;
            }

            await copy.CompleteAsync(ct);
        }

        // The aggregate, rebuilt from every revenue event of the developer (one statement per batch command: parameters
        // allow no multi-statement command on PostgreSQL), then fresh planner statistics for the reads.
        await using (var rebuild = new NpgsqlBatch(connection))
        {
            var delete = new NpgsqlBatchCommand("DELETE FROM \"EarningsBuckets\" WHERE \"DeveloperId\" = $1");
            delete.Parameters.Add(new NpgsqlParameter<string> { TypedValue = developerId });
            var insert = new NpgsqlBatchCommand("""
                INSERT INTO "EarningsBuckets" ("DeveloperId", "Period", "PluginId", "Currency", "AvailableOn", "Events", "Gross", "Refunded", "DeveloperShare", "PlatformShare", "DeveloperPaid")
                SELECT "DeveloperId", "Period", "PluginId", "Currency", "BucketDay", count(*),
                       sum(CASE WHEN "Kind" = 'refund' THEN 0 ELSE "Gross" END), sum(CASE WHEN "Kind" = 'refund' THEN -"Gross" ELSE 0 END),
                       sum("DeveloperShare"), sum("PlatformShare"), 0
                FROM "RevenueEvents" WHERE "DeveloperId" = $1
                GROUP BY "DeveloperId", "Period", "PluginId", "Currency", "BucketDay"
                """);
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = developerId });
            rebuild.BatchCommands.Add(delete);
            rebuild.BatchCommands.Add(insert);
            rebuild.BatchCommands.Add(new NpgsqlBatchCommand("ANALYZE \"RevenueEvents\""));
            rebuild.BatchCommands.Add(new NpgsqlBatchCommand("ANALYZE \"EarningsBuckets\""));
            await rebuild.ExecuteNonQueryAsync(ct);
        }

        return written;
    }

    /// <summary>One seeded purchase: its id, checkout session, buyer, split, period and instants (UTC).</summary>
    private readonly record struct SeedRow(string Id, string SourceId, string UserId, Money DeveloperShare, Money PlatformShare, string Period,
        DateTimeOffset EarnedAt, DateTimeOffset AvailableAt, string PaymentIntentId);

    /// <summary>Purchases number <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive), by the ledger's rules.</summary>
    private static IEnumerable<SeedRow> Rows(long start, long end, long gross, string currency, int bps, DateTimeOffset from, DateTimeOffset to, int holdDays, string tag)
    {
        var (developerShare, platformShare) = Money.Of(gross, currency).SplitBps(bps);
        var spanMs = Math.Max(1, (long)(to - from).TotalMilliseconds);
        for (var i = start; i < end; i++)
        {
            var earned = from.AddMilliseconds(i * 104_729 % spanMs);
            var session = $"cs_test_seed{tag}{i:D10}";
            yield return new SeedRow(PrefixedId.New("rev"), session, $"user_rev_{i % 1000:D4}", developerShare, platformShare,
                BillingPeriod.Containing(earned).ToString(), earned, CeilingToDay(earned.AddDays(holdDays)), "pi_seed" + session[12..]);
        }
    }

    private static DateTimeOffset CeilingToDay(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        var day = new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
        return day == utc ? day : day.AddDays(1);
    }
}
