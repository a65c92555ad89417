using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Referrals.Data;
using Monetization.Referrals.Domain;

namespace Monetization.Referrals.Features.ListCredits;

/// <summary>
/// <c>GET /v1/referrals/{user_id}/credits</c>: the user's access-credit ledger, oldest first (grants with positive days,
/// reversals with negative days, each naming its referral), with the credit_until derived from the whole ledger.
/// Cursor-paginated: <c>limit</c> (1–100, default 20) and <c>starting_after</c> (an entry id).
/// </summary>
internal static class ListCredits
{
    internal sealed record Request(string UserId, string? Limit, string? StartingAfter) : IRequest<Response>;

    /// <summary>One ledger entry.</summary>
    /// <param name="EntryId"><c>cgr_…</c> (grant; the GrantId of AccessCreditGranted) or <c>crv_…</c> (reversal).</param>
    /// <param name="Kind"><c>grant</c> or <c>reversal</c>.</param>
    /// <param name="Days">Whole days, signed (negative for a reversal).</param>
    /// <param name="Reason"><c>referral_buyer</c>, <c>referral_referrer</c>, <c>refund_clawback</c> or <c>manual_grant</c>.</param>
    /// <param name="SourceType">What earned it: <c>referral</c>, or <c>admin</c> for a manual grant.</param>
    /// <param name="SourceId">The referral id (<c>ref_…</c>), or <c>admin</c>.</param>
    /// <param name="ReversesEntryId">For a reversal, the grant reversed.</param>
    /// <param name="CreatedAt">When written, UTC.</param>
    /// <param name="StartsAt">For a grant, where its days start (max(created_at, credit_until before)), UTC.</param>
    /// <param name="CreditUntilAfter">credit_until right after this entry, UTC.</param>
    /// <param name="Note">For a manual grant, the admin's reason.</param>
    internal sealed record Entry(
        string EntryId,
        string Kind,
        int Days,
        string Reason,
        string SourceType,
        string SourceId,
        string? ReversesEntryId,
        DateTimeOffset CreatedAt,
        DateTimeOffset StartsAt,
        DateTimeOffset CreditUntilAfter,
        string? Note = null)
    {
        /// <summary>The view of a ledger entry.</summary>
        public static Entry Of(CreditEntry e) => e.Reason == CreditReasons.ManualGrant
            ? new Entry(e.Id, e.Kind, e.Days, e.Reason, CreditLedgerWriter.ManualSource, CreditLedgerWriter.ManualSource, e.ReversesEntryId, e.CreatedAt, e.StartsAt, e.CreditUntilAfter, e.Note)
            : new Entry(e.Id, e.Kind, e.Days, e.Reason, "referral", e.ReferralId, e.ReversesEntryId, e.CreatedAt, e.StartsAt, e.CreditUntilAfter);
    }

    /// <summary>A page of the ledger.</summary>
    /// <param name="UserId">The user.</param>
    /// <param name="CreditUntil">credit_until derived from the whole ledger, UTC, or null when empty.</param>
    /// <param name="CreditDaysRemaining">Whole days of credit left, 0 when none.</param>
    /// <param name="Data">The entries of this page, oldest first.</param>
    /// <param name="HasMore">Whether entries follow the last one of this page.</param>
    internal sealed record Response(string UserId, DateTimeOffset? CreditUntil, int CreditDaysRemaining, IReadOnlyList<Entry> Data, bool HasMore);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.UserId).MustBeUserId();
            RuleFor(r => r.Limit).MustBeLimit();
            RuleFor(r => r.StartingAfter).MustBeCursor();
        }
    }

    internal sealed class Handler(ReferralsDbContext db, TimeProvider clock) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var ledger = await db.CreditEntries.AsNoTracking()
                .Where(e => e.UserId == request.UserId)
                .OrderBy(e => e.Sequence)
                .ToListAsync(cancellationToken);
            var creditUntil = CreditLedger.CreditUntil(ledger);

            var start = 0;
            if (request.StartingAfter is { } after)
            {
                var index = ledger.FindIndex(e => e.Id == after);
                if (index < 0)
                {
                    throw Paging.UnknownCursor("Credit entry", after);
                }

                start = index + 1;
            }

            var limit = Paging.LimitOf(request.Limit);
            var page = ledger.Skip(start).Take(limit)
                .Select(Entry.Of)
                .ToList();
            return new Response(request.UserId, creditUntil, CreditLedger.DaysRemaining(creditUntil, clock.GetUtcNow()), page, start + page.Count < ledger.Count);
        }
    }
}
