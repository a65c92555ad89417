using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.GetCredits;

/// <summary>
/// <c>GET /v1/usage/{user_id}/credits</c>: the balance (live grants' remainders, summed in the database over every grant),
/// the newest <see cref="Preview"/> grants with <c>grants_has_more</c> and the newest <see cref="Preview"/> ledger entries
/// (grants, consumption by usage invoices, expiries, reversals) with <c>ledger_has_more</c>, so the answer stays small
/// for a user with years of top-ups; all of them are the paged <c>GET /v1/usage/{user_id}/credits/grants</c> and
/// <c>GET /v1/usage/{user_id}/credits/ledger</c> (ADR 0071). Grants
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
    /// <param name="Grants">The newest grants (at most <see cref="Preview"/>), newest first, spent and expired ones included.</param>
    /// <param name="GrantsHasMore">Whether older grants follow: read them from <c>GET /v1/usage/{user_id}/credits/grants</c>.</param>
    /// <param name="Ledger">The newest movements (at most <see cref="Preview"/>), newest first.</param>
    /// <param name="LedgerHasMore">Whether older movements follow: read them from <c>GET /v1/usage/{user_id}/credits/ledger</c>.</param>
    internal sealed record Response(string UserId, long Balance, string Currency, IReadOnlyList<Grant> Grants, bool GrantsHasMore, IReadOnlyList<LedgerEntry> Ledger, bool LedgerHasMore);

    /// <summary>Grants and ledger entries embedded in the wallet (Paging's default page size).</summary>
    public const int Preview = Paging.DefaultLimit;

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
    internal sealed record Grant(string GrantId, long Amount, long Remaining, string Currency, DateTimeOffset? ExpiresAt, string Reason, string Source, string? CheckoutSessionId, DateTimeOffset CreatedAt)
    {
        /// <summary>The grant as the API shows it.</summary>
        public static Grant Of(CreditGrant g) => new(g.Id, g.Amount, g.Remaining, g.Currency, g.ExpiresAt, g.Reason, g.Source, g.CheckoutSessionId, g.CreatedAt);
    }

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
                await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
                await CreditWallet.ExpireDueAsync(db, request.UserId, now, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            var currency = pricing.Currency;
            var balance = await db.CreditGrants.Where(g => g.UserId == request.UserId && g.Currency == currency && g.Remaining > 0 && (g.ExpiresAt == null || g.ExpiresAt > now))
                .SumAsync(g => g.Remaining, cancellationToken);
            var grants = await db.CreditGrants.AsNoTracking().Where(g => g.UserId == request.UserId)
                .OrderByDescending(g => g.CreatedAt).ThenBy(g => g.Id).ToPageAsync(Preview, cancellationToken);
            var ledger = await db.CreditLedger.AsNoTracking().Where(e => e.UserId == request.UserId)
                .OrderByDescending(e => e.CreatedAt).ThenBy(e => e.Id).ToPageAsync(Preview, cancellationToken);
            return new Response(
                request.UserId,
                balance,
                currency,
                grants.Data.Select(Grant.Of).ToList(),
                grants.HasMore,
                ledger.Data.Select(e => new LedgerEntry(e.Id, e.Type, e.Amount, e.Currency, e.GrantId, e.UsageInvoiceId, e.Description, e.CreatedAt)).ToList(),
                ledger.HasMore);
        }
    }
}
