namespace Monetization.Marketplace.Domain;

/// <summary>Earnings buckets summed for one currency: every amount in minor units of <paramref name="Currency"/>.</summary>
/// <param name="Currency">ISO 4217, lowercase.</param>
/// <param name="Gross">Gross of the non-refund events.</param>
/// <param name="Refunded">Gross refunded (positive).</param>
/// <param name="DeveloperShare">Net developer share (after refunds).</param>
/// <param name="PlatformShare">Net platform share (after refunds).</param>
/// <param name="Paid">Developer share settled (paid out or recovered).</param>
/// <param name="Payable">Unsettled developer share whose hold has ended at the time asked about.</param>
/// <param name="Pending">Unsettled developer share still in the hold.</param>
/// <param name="Events">Number of revenue events.</param>
internal sealed record EarningsTotal(string Currency, long Gross, long Refunded, long DeveloperShare, long PlatformShare, long Paid, long Payable, long Pending, long Events);

/// <summary>
/// The one rule that sums earnings buckets per currency, shared by the earnings route and the marketplace metrics, so the
/// dashboard and the API can never disagree: the unsettled developer share of a bucket is payable once its
/// <see cref="EarningsBucket.AvailableOn"/> has passed, else pending.
/// </summary>
internal static class EarningsTotals
{
    /// <summary>Totals per currency, ordered by currency code.</summary>
    /// <param name="buckets">The buckets to sum (any developers, periods and plugins).</param>
    /// <param name="now">The time (UTC) against which the hold is judged.</param>
    public static List<EarningsTotal> PerCurrency(IEnumerable<EarningsBucket> buckets, DateTimeOffset now) =>
        buckets.GroupBy(b => b.Currency, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                long gross = 0, refunded = 0, developer = 0, platform = 0, paid = 0, payable = 0, pending = 0, events = 0;
                foreach (var b in g)
                {
                    gross += b.Gross;
                    refunded += b.Refunded;
                    developer += b.DeveloperShare;
                    platform += b.PlatformShare;
                    paid += b.DeveloperPaid;
                    events += b.Events;
                    var unpaid = b.DeveloperShare - b.DeveloperPaid;
                    if (b.AvailableOn <= now)
                    {
                        payable += unpaid;
                    }
                    else
                    {
                        pending += unpaid;
                    }
                }

                return new EarningsTotal(g.Key, gross, refunded, developer, platform, paid, payable, pending, events);
            })
            .ToList();
}
