using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.GetCredits;

/// <summary>
/// <c>GET /v1/usage/{user_id}/credits</c>: the balance (live grants' remainders), the grants, and the newest
/// <see cref="LedgerPreview"/> ledger entries (grants, consumption by usage invoices, expiries, reversals) with
/// <c>ledger_has_more</c>; the whole ledger is the paged <c>GET /v1/usage/{user_id}/credits/ledger</c> (ADR 0071). Grants
/// whose expiry has passed are first written to the ledger as <c>expiry</c> entries, so the ledger always sums to the balance.
/// </summary>
internal static class GetCredits
{
    /// <summary>The query.</summary>
    internal sealed record Request(string UserId) : IRequest<Response>;

    /// <summary>The wallet.</summary>
    /// <param name="UserId">User.</param>
    /// <param name="Balance">Spendable credit, minor units of <paramref name="Currency"/>.</param>
    /// <param name="Currency">ISO 4217.</param>
    /// <param name="Grants">Grants, newest first.</param>
    /// <param name="Ledger">The newest movements (at most <see cref="LedgerPreview"/>), newest first.</param>
    /// <param name="LedgerHasMore">Whether older movements follow: read them from <c>GET /v1/usage/{user_id}/credits/ledger</c>.</param>
    internal sealed record Response(string UserId, long Balance, string Currency, IReadOnlyList<Grant> Grants, IReadOnlyList<LedgerEntry> Ledger, bool LedgerHasMore);

    /// <summary>Ledger entries embedded in the wallet (Paging's default page size).</summary>
    public const int LedgerPreview = Paging.DefaultLimit;

    /// <summary>A grant.</summary>
    /// <param name="GrantId">Id (<c>cgr_…</c>).</param>
    /// <param name="Amount">Granted, minor units.</param>
    /// <param name="Remaining">Left, minor units.</param>
    /// <param name="Currency">ISO 4217.</param>
    /// <param name="ExpiresAt">Expiry, UTC; null = never.</param>
    /// <param name="Reason">Why.</param>
    /// <param name="Source"><c>purchase</c> or <c>admin</c>.</param>
    /// <param name="CheckoutSessionId">Paid checkout, for purchases.</param>
    /// <param name="CreatedAt">When, UTC.</param>
    internal sealed record Grant(string GrantId, long Amount, long Remaining, string Currency, DateTimeOffset? ExpiresAt, string Reason, string Source, string? CheckoutSessionId, DateTimeOffset CreatedAt);

    /// <summary>A ledger entry.</summary>
    /// <param name="EntryId">Id (<c>cle_…</c>).</param>
    /// <param name="Type"><c>grant</c>, <c>consumption</c>, <c>expiry</c> or <c>reversal</c> (given back by a voided usage invoice).</param>
    /// <param name="Amount">Signed, minor units.</param>
    /// <param name="Currency">ISO 4217.</param>
    /// <param name="GrantId">Grant moved.</param>
    /// <param name="UsageInvoiceId">Consuming invoice.</param>
    /// <param name="Description">What.</param>
    /// <param name="CreatedAt">When, UTC.</param>
    internal sealed record LedgerEntry(string EntryId, string Type, long Amount, string Currency, string GrantId, string? UsageInvoiceId, string Description, DateTimeOffset CreatedAt);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.UserId).MustBeUserId();
    }

    internal sealed class Handler(UsageDbContext db, TimeProvider clock, TokenPricing pricing) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            if (await db.CreditGrants.AnyAsync(g => g.UserId == request.UserId && g.Remaining > 0 && g.ExpiresAt != null && g.ExpiresAt <= now, cancellationToken))
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                await CreditWallet.ExpireDueAsync(db, request.UserId, now, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            var grants = await db.CreditGrants.AsNoTracking().Where(g => g.UserId == request.UserId)
                .OrderByDescending(g => g.CreatedAt).ThenBy(g => g.Id).ToListAsync(cancellationToken);
            var ledger = await db.CreditLedger.AsNoTracking().Where(e => e.UserId == request.UserId)
                .OrderByDescending(e => e.CreatedAt).ThenBy(e => e.Id).ToPageAsync(LedgerPreview, cancellationToken);
            var balance = grants.Where(g => g.Currency == pricing.Currency && (g.ExpiresAt is null || g.ExpiresAt > now)).Sum(g => g.Remaining);
            return new Response(
                request.UserId,
                balance,
                pricing.Currency,
                grants.Select(g => new Grant(g.Id, g.Amount, g.Remaining, g.Currency, g.ExpiresAt, g.Reason, g.Source, g.CheckoutSessionId, g.CreatedAt)).ToList(),
                ledger.Data.Select(e => new LedgerEntry(e.Id, e.Type, e.Amount, e.Currency, e.GrantId, e.UsageInvoiceId, e.Description, e.CreatedAt)).ToList(),
                ledger.HasMore);
        }
    }
}
