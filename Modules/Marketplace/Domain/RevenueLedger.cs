using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Billing;
using Monetization.Marketplace.Data;

namespace Monetization.Marketplace.Domain;

/// <summary>What a new revenue event is made of before it is split.</summary>
/// <param name="SourceId">Unique source id (see <see cref="RevenueKinds"/>).</param>
/// <param name="Kind"><see cref="RevenueKinds"/>.</param>
/// <param name="Plugin">The plugin earning it.</param>
/// <param name="Gross">Minor units (negative for credits).</param>
/// <param name="Currency">ISO 4217.</param>
/// <param name="EarnedAt">When the money was collected, UTC.</param>
internal sealed record RevenueSource(string SourceId, string Kind, Plugin Plugin, long Gross, string Currency, DateTimeOffset EarnedAt)
{
    /// <summary>The install, when known.</summary>
    public string? InstallId { get; init; }

    /// <summary>The paying user, when known.</summary>
    public string? UserId { get; init; }

    /// <summary>Stripe invoice id.</summary>
    public string? StripeInvoiceId { get; init; }

    /// <summary>Stripe charge id.</summary>
    public string? StripeChargeId { get; init; }

    /// <summary>Stripe payment intent id.</summary>
    public string? StripePaymentIntentId { get; init; }
}

/// <summary>
/// Writes revenue events and keeps the earnings aggregates (<see cref="EarningsBucket"/>, <see cref="InstallStat"/>) in
/// step, in the caller's transaction. The split is <c>Money.SplitBps</c> with the developer's share: integers that sum to
/// the gross, the developer's part rounded toward zero (the issue).
/// </summary>
internal sealed class RevenueLedger(MarketplaceDbContext db, IOptions<MarketplaceOptions> options)
{
    /// <summary>UTC midnight at or after an instant.</summary>
    public static DateTimeOffset CeilingToDay(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        var day = new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
        return day == utc ? day : day.AddDays(1);
    }

    /// <summary>UTC midnight at or before an instant.</summary>
    public static DateTimeOffset FloorToDay(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
    }

    /// <summary>
    /// Records a revenue event for <paramref name="source"/> once: when an event with the same source id exists, nothing
    /// changes and null is returned. Call inside a transaction; the caller saves.
    /// </summary>
    public async Task<RevenueEvent?> RecordAsync(RevenueSource source, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (await db.RevenueEvents.AnyAsync(e => e.SourceId == source.SourceId, ct)
            || db.RevenueEvents.Local.Any(e => e.SourceId == source.SourceId))
        {
            return null;
        }

        return await CreateAsync(source, track: true, ct);
    }

    /// <summary>
    /// <see cref="RecordAsync"/> for several sources at once, in order, with one read of the source ids already recorded (a
    /// consumer's run of events, issue 22). A source id seen before, stored or earlier in the list, records nothing (null at
    /// its place). The events are written at once through <see cref="RevenueEventStore"/> and are not tracked; the buckets
    /// are, and the caller saves them. Call inside a transaction.
    /// </summary>
    public async Task<IReadOnlyList<RevenueEvent?>> RecordManyAsync(IReadOnlyList<RevenueSource> sources, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var ids = sources.Select(s => s.SourceId).Distinct(StringComparer.Ordinal).ToList();
        var seen = (await db.RevenueEvents.Where(e => ids.Contains(e.SourceId)).Select(e => e.SourceId).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        seen.UnionWith(db.RevenueEvents.Local.Select(e => e.SourceId));
        var recorded = new List<RevenueEvent?>(sources.Count);

        // Every DbSet.Local read (the bucket lookup) would otherwise scan all tracked entities for changes: O(n²) over a run.
        // Nothing here needs it: new buckets are found through Local as added, and SaveChanges detects the buckets' changes.
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var source in sources)
            {
                recorded.Add(seen.Add(source.SourceId) ? await CreateAsync(source, track: false, ct) : null);
            }
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }

        await RevenueEventStore.InsertAsync(db, recorded.OfType<RevenueEvent>().ToList(), ct);
        return recorded;
    }

    /// <summary>
    /// The split revenue event of <paramref name="source"/> (its source id is new), added to its bucket's totals; added to the
    /// context when <paramref name="track"/>, else left for the caller to write.
    /// </summary>
    private async Task<RevenueEvent> CreateAsync(RevenueSource source, bool track, CancellationToken ct)
    {
        // By key: a developer already tracked (earlier events of a consumer's batch) is not read again.
        var developer = await db.Developers.FindAsync([source.Plugin.DeveloperId], ct)
            ?? throw new InvalidOperationException($"Developer {source.Plugin.DeveloperId} of plugin {source.Plugin.Id} does not exist.");
        var bps = developer.RevenueShareBps;
        var (developerShare, platformShare) = Money.Of(source.Gross, source.Currency).SplitBps(bps);
        var availableAt = source.Gross > 0 ? CeilingToDay(source.EarnedAt.AddDays(options.Value.HoldDays)) : source.EarnedAt;
        var evt = new RevenueEvent
        {
            Id = PrefixedId.New("rev"),
            SourceId = source.SourceId,
            Kind = source.Kind,
            DeveloperId = developer.Id,
            PluginId = source.Plugin.Id,
            InstallId = source.InstallId,
            UserId = source.UserId,
            Gross = source.Gross,
            DeveloperShare = developerShare.Amount,
            PlatformShare = platformShare.Amount,
            Currency = developerShare.Currency,
            RevenueShareBps = bps,
            Period = BillingPeriod.Containing(source.EarnedAt).ToString(),
            EarnedAt = source.EarnedAt,
            AvailableAt = availableAt,
            StripeInvoiceId = source.StripeInvoiceId,
            StripeChargeId = source.StripeChargeId,
            StripePaymentIntentId = source.StripePaymentIntentId,
            BucketDay = source.Gross > 0 ? availableAt : FloorToDay(availableAt),
        };
        if (track)
        {
            db.RevenueEvents.Add(evt);
        }

        await AddToBucketAsync(evt, ct);
        return evt;
    }

    /// <summary>
    /// Records the refund of <paramref name="original"/> up to a cumulative refunded gross of <paramref name="refundedGrossTarget"/>
    /// (0..gross): a negative event for the difference, split so that the developer's cumulative refund is the split of the
    /// cumulative refunded gross. Returns null when nothing more is refunded.
    /// </summary>
    public async Task<RevenueEvent?> RecordRefundAsync(RevenueEvent original, long refundedGrossTarget, string sourceId, DateTimeOffset refundedAt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(original);
        var target = Math.Clamp(refundedGrossTarget, 0, Math.Max(original.Gross, 0));
        var delta = target - original.RefundedGross;
        if (delta <= 0 || await db.RevenueEvents.AnyAsync(e => e.SourceId == sourceId, ct))
        {
            return null;
        }

        var developerDelta = DeveloperRefundDelta(original.RefundedGross, target, original.Currency, original.RevenueShareBps);
        var evt = new RevenueEvent
        {
            Id = PrefixedId.New("rev"),
            SourceId = sourceId,
            Kind = RevenueKinds.Refund,
            DeveloperId = original.DeveloperId,
            PluginId = original.PluginId,
            InstallId = original.InstallId,
            UserId = original.UserId,
            Gross = -delta,
            DeveloperShare = -developerDelta,
            PlatformShare = -(delta - developerDelta),
            Currency = original.Currency,
            RevenueShareBps = original.RevenueShareBps,
            Period = BillingPeriod.Containing(refundedAt).ToString(),
            EarnedAt = refundedAt,
            AvailableAt = refundedAt,
            StripeInvoiceId = original.StripeInvoiceId,
            StripeChargeId = original.StripeChargeId,
            StripePaymentIntentId = original.StripePaymentIntentId,
            RefundOfEventId = original.Id,
            BucketDay = FloorToDay(refundedAt),
        };
        original.RefundedGross = target;
        db.RevenueEvents.Add(evt);
        await AddToBucketAsync(evt, ct);
        return evt;
    }

    /// <summary>
    /// The developer's part of refunding the gross from <paramref name="refundedBefore"/> to <paramref name="refundedAfter"/>
    /// (cumulative): the split of the new cumulative refund minus the split of the old one, so the developer's refunds add
    /// up to exactly their original share when the whole gross is refunded.
    /// </summary>
    public static long DeveloperRefundDelta(long refundedBefore, long refundedAfter, string currency, int bps) =>
        Money.Of(refundedAfter, currency).SplitBps(bps).Share.Amount - Money.Of(refundedBefore, currency).SplitBps(bps).Share.Amount;

    /// <summary>Counts an install that became active in the period of <paramref name="at"/>, and in the plugin's live count.</summary>
    public async Task CountInstallAsync(Plugin plugin, DateTimeOffset at, int delta, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        var stat = await StatAsync(plugin, at, ct);
        if (delta > 0)
        {
            stat.Installs += delta;
        }
        else
        {
            stat.Uninstalls -= delta;
        }

        plugin.InstallCount = Math.Max(0, plugin.InstallCount + delta);
    }

    /// <summary>Adds <paramref name="amount"/> to the settled (paid) developer share of the event's bucket.</summary>
    public async Task AddPaidAsync(RevenueEvent evt, long amount, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(evt);
        var bucket = await BucketAsync(evt, ct);
        bucket.DeveloperPaid += amount;
    }

    private async Task AddToBucketAsync(RevenueEvent evt, CancellationToken ct)
    {
        var bucket = await BucketAsync(evt, ct);
        bucket.Events++;
        if (evt.Kind == RevenueKinds.Refund)
        {
            bucket.Refunded += -evt.Gross;
        }
        else
        {
            bucket.Gross += evt.Gross;
        }

        bucket.DeveloperShare += evt.DeveloperShare;
        bucket.PlatformShare += evt.PlatformShare;
    }

    private async Task<EarningsBucket> BucketAsync(RevenueEvent evt, CancellationToken ct)
    {
        var bucket = db.EarningsBuckets.Local.FirstOrDefault(b => b.DeveloperId == evt.DeveloperId && b.Period == evt.Period
                && b.PluginId == evt.PluginId && b.Currency == evt.Currency && b.AvailableOn == evt.BucketDay)
            ?? await db.EarningsBuckets.FirstOrDefaultAsync(b => b.DeveloperId == evt.DeveloperId && b.Period == evt.Period
                && b.PluginId == evt.PluginId && b.Currency == evt.Currency && b.AvailableOn == evt.BucketDay, ct);
        if (bucket is null)
        {
            bucket = new EarningsBucket
            {
                DeveloperId = evt.DeveloperId,
                Period = evt.Period,
                PluginId = evt.PluginId,
                Currency = evt.Currency,
                AvailableOn = evt.BucketDay,
            };
            db.EarningsBuckets.Add(bucket);
        }

        return bucket;
    }

    private async Task<InstallStat> StatAsync(Plugin plugin, DateTimeOffset at, CancellationToken ct)
    {
        var period = BillingPeriod.Containing(at).ToString();
        var stat = db.InstallStats.Local.FirstOrDefault(s => s.DeveloperId == plugin.DeveloperId && s.Period == period && s.PluginId == plugin.Id)
            ?? await db.InstallStats.FirstOrDefaultAsync(s => s.DeveloperId == plugin.DeveloperId && s.Period == period && s.PluginId == plugin.Id, ct);
        if (stat is null)
        {
            stat = new InstallStat { DeveloperId = plugin.DeveloperId, Period = period, PluginId = plugin.Id };
            db.InstallStats.Add(stat);
        }

        return stat;
    }
}
