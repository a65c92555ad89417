using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.Referrals.Data;
using Monetization.Referrals.Domain;

namespace Monetization.Referrals.Features.GetReferralSummary;

/// <summary>
/// <c>GET /v1/referrals/{user_id}</c>: the user's referral code (created on first read: 8 characters without
/// look-alikes, unique, stable), how many users they referred and converted, how many of those conversions still have a
/// running referrer credit window, and their own credit (the seed's "+N days on your account").
/// </summary>
internal static class GetReferralSummary
{
    internal sealed record Request(string UserId) : IRequest<Response>;

    /// <summary>The summary.</summary>
    /// <param name="UserId">The user.</param>
    /// <param name="Code">Their referral code.</param>
    /// <param name="ReferredCount">Users who signed up with it.</param>
    /// <param name="ConvertedCount">Of those, users who paid.</param>
    /// <param name="ActiveCredits">Conversions whose referrer grant was made less than its days ago and is not reversed (the seed's "Active credits").</param>
    /// <param name="CreditUntil">End of the user's own credit per the ledger, UTC, or null without any entry.</param>
    /// <param name="CreditDaysRemaining">Whole days of own credit left (a started day counts), 0 when none.</param>
    /// <param name="ReferredBy">The referral that brought this user in, or null.</param>
    internal sealed record Response(
        string UserId,
        string Code,
        int ReferredCount,
        int ConvertedCount,
        int ActiveCredits,
        DateTimeOffset? CreditUntil,
        int CreditDaysRemaining,
        ReferralView? ReferredBy);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.UserId).MustBeUserId();
    }

    internal sealed class Handler(ReferralsDbContext db, TimeProvider clock) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var code = await EnsureCodeAsync(request.UserId, now, cancellationToken);

            var referred = await db.Referrals.AsNoTracking()
                .Where(r => r.ReferrerUserId == request.UserId)
                .GroupBy(_ => 1)
                .Select(g => new { Total = g.Count(), Converted = g.Count(r => r.ConvertedAt != null) })
                .SingleOrDefaultAsync(cancellationToken);

            var ledger = await db.CreditEntries.AsNoTracking()
                .Where(e => e.UserId == request.UserId)
                .OrderBy(e => e.Sequence)
                .ToListAsync(cancellationToken);
            var reversed = ledger.Where(e => e.ReversesEntryId != null).Select(e => e.ReversesEntryId).ToHashSet(StringComparer.Ordinal);
            var activeCredits = ledger.Count(e =>
                e is { Kind: CreditEntryKinds.Grant, Reason: CreditReasons.ReferralReferrer }
                && !reversed.Contains(e.Id)
                && e.CreatedAt.AddDays(e.Days) > now);
            var creditUntil = CreditLedger.CreditUntil(ledger);

            var referredBy = await db.Referrals.AsNoTracking().SingleOrDefaultAsync(r => r.ReferredUserId == request.UserId, cancellationToken);
            return new Response(
                request.UserId,
                code,
                referred?.Total ?? 0,
                referred?.Converted ?? 0,
                activeCredits,
                creditUntil,
                CreditLedger.DaysRemaining(creditUntil, now),
                referredBy is null ? null : ReferralView.Of(referredBy));
        }

        /// <summary>The user's code, creating it in one write transaction (the module's only writer, so concurrent first reads agree on one code).</summary>
        private async Task<string> EnsureCodeAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken)
        {
            var existing = await db.Users.AsNoTracking().Where(u => u.UserId == userId).Select(u => u.Code).SingleOrDefaultAsync(cancellationToken);
            if (existing is not null)
            {
                return existing;
            }

            await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
            var user = await db.Users.FindAsync([userId], cancellationToken);
            if (user?.Code is { } raced)
            {
                return raced;
            }

            if (user is null)
            {
                user = ReferralUser.New(userId, now);
                db.Users.Add(user);
            }

            string code;
            do
            {
                code = ReferralCode.New();
            }
            while (await db.Users.AnyAsync(u => u.Code == code, cancellationToken));

            user.Code = code;
            user.CodeCreatedAt = now;
            user.UpdatedAt = now;
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return code;
        }
    }
}
