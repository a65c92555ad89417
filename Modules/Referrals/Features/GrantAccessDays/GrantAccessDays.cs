using FluentValidation;
using MediatR;
using Monetization.BuildingBlocks.Billing;
using Monetization.Referrals.Data;
using Monetization.Referrals.Domain;
using Monetization.Referrals.Features.ListCredits;

namespace Monetization.Referrals.Features.GrantAccessDays;

/// <summary>
/// <c>POST /v1/referrals/{user_id}/credits/grants</c> <c>{days, reason}</c> (admin, issue 20; the seeds' manual grant of
/// access days): writes a grant to the same access-credit ledger as referral rewards (reason <c>manual_grant</c>, the
/// admin's text kept as its note), so credit_until, the <c>AccessCreditGranted</c> event and Subscriptions' deferred billing
/// behave exactly as for a referral credit. Send an <c>Idempotency-Key</c> to make a retry safe: each call is a new grant.
/// </summary>
internal static class GrantAccessDays
{
    /// <summary>Largest grant, days (ten years).</summary>
    public const int MaxDays = 3_650;

    /// <summary>The JSON body.</summary>
    /// <param name="Days">Whole days, 1..3,650.</param>
    /// <param name="Reason">Why (support, compensation), 1..500 characters; shown on the ledger entry.</param>
    internal sealed record Body(int? Days, string? Reason)
    {
        // Hand-written: the route's values join the body here, which a Mapster mapping of Body alone cannot see.
        public Request ToRequest(string userId) => new(userId, Days, Reason);
    }

    internal sealed record Request(string UserId, int? Days, string? Reason) : IRequest<Response>;

    /// <summary>The grant written.</summary>
    /// <param name="UserId">The user.</param>
    /// <param name="CreditUntil">credit_until after the grant, UTC.</param>
    /// <param name="Entry">The ledger entry.</param>
    internal sealed record Response(string UserId, DateTimeOffset CreditUntil, ListCredits.ListCredits.Entry Entry);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.UserId).MustBeUserId();
            RuleFor(r => r.Days).NotNull().WithMessage("days is required.")
                .InclusiveBetween(1, MaxDays).WithMessage($"days is a whole number from 1 to {MaxDays}.");
            RuleFor(r => r.Reason).NotEmpty().WithMessage("reason is required.")
                .MaximumLength(500).WithMessage("reason is at most 500 characters.");
        }
    }

    internal sealed class Handler(ReferralsDbContext db, TimeProvider clock) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
            var entry = await CreditLedgerWriter.GrantManuallyAsync(db, clock.GetUtcNow(), request.UserId, request.Days!.Value, request.Reason!.Trim(), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new Response(request.UserId, entry.CreditUntilAfter, ListCredits.ListCredits.Entry.Of(entry));
        }
    }
}
