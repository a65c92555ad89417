using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.Referrals.Data;
using Monetization.Referrals.Domain;

namespace Monetization.Referrals.Features.EraseReferralUser;

/// <summary>
/// <c>DELETE /v1/referrals/users/{user_id}</c> (admin): erases the user's personal data from this module (GDPR art. 17
/// style). Their profile (code, e-mail, Stripe customer, subscription facts) and remembered refunds are deleted; their
/// referrals and ledger entries survive with the user id replaced by one <c>erased_…</c> pseudonym (and the code used
/// removed), so the other side keeps its credit and the ledger still explains every number. A tombstone holding only
/// the SHA-256 of the id stops late events from before the erasure from bringing the data back. Idempotent.
/// </summary>
internal static class EraseReferralUser
{
    internal sealed record Request(string UserId) : IRequest<Response>;

    /// <summary>What was erased.</summary>
    /// <param name="UserId">The user erased.</param>
    /// <param name="ErasedAt">When, UTC.</param>
    /// <param name="ProfileDeleted">Whether a profile (code, e-mail, customer) existed and was deleted.</param>
    /// <param name="ReferralsAnonymised">Referrals (either side) whose user id was replaced.</param>
    /// <param name="CreditEntriesAnonymised">Ledger entries whose user id was replaced.</param>
    internal sealed record Response(string UserId, DateTimeOffset ErasedAt, bool ProfileDeleted, int ReferralsAnonymised, int CreditEntriesAnonymised);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.UserId).MustBeUserId();
    }

    internal sealed class Handler(ReferralsDbContext db, TimeProvider clock) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var userId = request.UserId;
            await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);

            var hash = ErasedUser.HashOf(userId);
            var tombstone = await db.ErasedUsers.FindAsync([hash], cancellationToken);
            if (tombstone is null)
            {
                tombstone = new ErasedUser { UserIdHash = hash };
                db.ErasedUsers.Add(tombstone);
            }

            // A fresh pseudonym per erasure: a user erased, back and erased again is not linked across the two.
            tombstone.Pseudonym = PrefixedId.New("erased");
            tombstone.ErasedAt = now;
            var pseudonym = tombstone.Pseudonym;

            var profileDeleted = await db.Users.Where(u => u.UserId == userId).ExecuteDeleteAsync(cancellationToken) > 0;
            await db.EarlyRefunds.Where(e => e.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            var asReferrer = await db.Referrals.Where(r => r.ReferrerUserId == userId).ExecuteUpdateAsync(
                s => s.SetProperty(r => r.ReferrerUserId, pseudonym).SetProperty(r => r.Code, (string?)null).SetProperty(r => r.ReferrerErasedAt, now),
                cancellationToken);
            var asReferred = await db.Referrals.Where(r => r.ReferredUserId == userId).ExecuteUpdateAsync(
                s => s.SetProperty(r => r.ReferredUserId, pseudonym).SetProperty(r => r.ReferredErasedAt, now),
                cancellationToken);
            var entries = await db.CreditEntries.Where(e => e.UserId == userId).ExecuteUpdateAsync(
                s => s.SetProperty(e => e.UserId, pseudonym),
                cancellationToken);

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new Response(userId, now, profileDeleted, asReferrer + asReferred, entries);
        }
    }
}
