using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Http;
using Monetization.Usage.Data;

namespace Monetization.Usage.Features.ListCreditLedger;

/// <summary>
/// <c>GET /v1/usage/{user_id}/credits/ledger?limit=&amp;starting_after=</c>: every movement of a user's prepaid credits
/// (grants, consumption by usage invoices, expiries, reversals of voided invoices), newest first, paged by the one
/// convention (ADR 0071, <see cref="Paging"/>; <c>starting_after</c> = an <c>entry_id</c>). The entries sum to the balance
/// of <c>GET /v1/usage/{user_id}/credits</c> once due expiries are written (that route writes them).
/// </summary>
internal static class ListCreditLedger
{
    /// <summary>The query.</summary>
    /// <param name="UserId">User.</param>
    /// <param name="Limit">1–100, default 20.</param>
    /// <param name="StartingAfter">The <c>entry_id</c> of the last entry of the previous page.</param>
    internal sealed record Request(string UserId, string? Limit = null, string? StartingAfter = null) : IRequest<Response>;

    /// <summary>A page of the ledger.</summary>
    /// <param name="UserId">User.</param>
    /// <param name="Data">Entries, newest first (ties by id).</param>
    /// <param name="HasMore">Whether older entries follow.</param>
    internal sealed record Response(string UserId, IReadOnlyList<Entry> Data, bool HasMore);

    /// <summary>A ledger entry.</summary>
    /// <param name="EntryId">Id (<c>cle_…</c>).</param>
    /// <param name="Type"><c>grant</c>, <c>consumption</c>, <c>expiry</c> or <c>reversal</c> (credits given back by a voided usage invoice).</param>
    /// <param name="Amount">Signed, minor units of <paramref name="Currency"/>.</param>
    /// <param name="Currency">ISO 4217, lowercase.</param>
    /// <param name="GrantId">The grant moved.</param>
    /// <param name="UsageInvoiceId">The usage invoice that consumed (or gave back) it, if any.</param>
    /// <param name="Description">What.</param>
    /// <param name="CreatedAt">When, UTC.</param>
    internal sealed record Entry(string EntryId, string Type, long Amount, string Currency, string GrantId, string? UsageInvoiceId, string Description, DateTimeOffset CreatedAt);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.UserId).MustBeUserId();
            RuleFor(r => r.Limit).MustBeLimit();
            RuleFor(r => r.StartingAfter).MustBeCursor();
        }
    }

    internal sealed class Handler(UsageDbContext db) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var query = db.CreditLedger.AsNoTracking().Where(e => e.UserId == request.UserId);
            if (request.StartingAfter is { } after)
            {
                var cursor = await query.Where(e => e.Id == after).Select(e => new { e.CreatedAt, e.Id }).SingleOrDefaultAsync(cancellationToken)
                    ?? throw Paging.UnknownCursor("Credit ledger entry", after);
                query = query.Where(e => e.CreatedAt < cursor.CreatedAt || (e.CreatedAt == cursor.CreatedAt && string.Compare(e.Id, cursor.Id) > 0));
            }

            var page = await query.OrderByDescending(e => e.CreatedAt).ThenBy(e => e.Id).ToPageAsync(Paging.LimitOf(request.Limit), cancellationToken);
            return new Response(request.UserId, page.Data.Select(e => new Entry(e.Id, e.Type, e.Amount, e.Currency, e.GrantId, e.UsageInvoiceId, e.Description, e.CreatedAt)).ToList(), page.HasMore);
        }
    }
}
