using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.Referrals.Data;
using Monetization.Referrals.Domain;

namespace Monetization.Referrals.Features.GetReferralMetrics;

/// <summary>
/// <c>GET /v1/metrics/referrals</c> (read): referral conversions across every user: referrals captured, converted (the
/// referred user's first payment), converted in the last 30 days, the conversion rate, referrals per reward status, and the
/// access-credit days granted and reversed (issue 19's dashboard overview reads this same query).
/// </summary>
internal static class GetReferralMetrics
{
    internal sealed record Request : IRequest<Response>;

    /// <summary>Referrals in one reward status.</summary>
    /// <param name="Status"><c>pending</c>, <c>rewarded</c>, <c>buyer_only</c>, <c>not_rewarded</c> or <c>reversed</c>.</param>
    /// <param name="Count">Number of referrals.</param>
    internal sealed record StatusCount(string Status, int Count);

    /// <summary>The metrics.</summary>
    /// <param name="AsOf">UTC.</param>
    /// <param name="Captured">Referrals captured at sign-up.</param>
    /// <param name="Converted">Of those, referred users who paid.</param>
    /// <param name="ConvertedLast30Days">Conversions in the last 30 days.</param>
    /// <param name="ConversionRateBps">Converted / captured in basis points (rounded down; 0 without referrals).</param>
    /// <param name="ByRewardStatus">Referrals per reward status, by status name.</param>
    /// <param name="CreditDaysGranted">Access-credit days granted (ledger grants).</param>
    /// <param name="CreditDaysReversed">Access-credit days taken back (ledger reversals, positive).</param>
    internal sealed record Response(
        DateTimeOffset AsOf,
        int Captured,
        int Converted,
        int ConvertedLast30Days,
        long ConversionRateBps,
        IReadOnlyList<StatusCount> ByRewardStatus,
        long CreditDaysGranted,
        long CreditDaysReversed);

    internal sealed class Handler(ReferralsDbContext db, TimeProvider clock) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var monthAgo = now.AddDays(-30);
            var byStatus = await db.Referrals.AsNoTracking().GroupBy(r => r.RewardStatus)
                .Select(g => new StatusCount(g.Key, g.Count())).ToListAsync(cancellationToken);
            var captured = byStatus.Sum(s => s.Count);
            var converted = await db.Referrals.AsNoTracking().CountAsync(r => r.ConvertedAt != null, cancellationToken);
            var recent = await db.Referrals.AsNoTracking().CountAsync(r => r.ConvertedAt != null && r.ConvertedAt >= monthAgo, cancellationToken);
            var days = await db.CreditEntries.AsNoTracking().GroupBy(e => e.Kind)
                .Select(g => new { Kind = g.Key, Days = g.Sum(e => (long)e.Days) }).ToListAsync(cancellationToken);
            return new Response(
                now,
                captured,
                converted,
                recent,
                captured == 0 ? 0 : converted * 10_000L / captured,
                byStatus.OrderBy(s => s.Status, StringComparer.Ordinal).ToList(),
                days.Where(d => d.Kind == CreditEntryKinds.Grant).Sum(d => d.Days),
                Math.Abs(days.Where(d => d.Kind == CreditEntryKinds.Reversal).Sum(d => d.Days)));
        }
    }
}
