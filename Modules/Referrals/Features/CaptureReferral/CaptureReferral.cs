using Mapster;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Http;
using Monetization.Referrals.Data;
using Monetization.Referrals.Domain;

namespace Monetization.Referrals.Features.CaptureReferral;

/// <summary>
/// <c>POST /v1/referrals/capture</c> at sign-up: records that <c>user_id</c> was referred by the owner of <c>code</c>
/// (matched case-insensitively, surrounding spaces ignored). Refused, each as problem+json naming the rule (the issue):
/// unknown code (422 <c>referral_code_unknown</c>), self-referral (422 <c>self_referral</c>), user already referred
/// (409 <c>already_referred</c>), user already paying (422 <c>user_already_paying</c>: only new users can be referred).
/// The checks and the insert run in one IMMEDIATE transaction, so concurrent captures of one user make one referral.
/// </summary>
internal static class CaptureReferral
{
    /// <summary>The JSON body.</summary>
    /// <param name="UserId">The new user's id.</param>
    /// <param name="Code">The referral code they signed up with.</param>
    internal sealed record Body(string? UserId, string? Code)
    {
        public Request ToRequest() => this.Adapt<Request>(ReferralsMapping.Config);
    }

    internal sealed record Request(string UserId, string Code) : IRequest<ReferralView>;

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.UserId).MustBeUserId();
            RuleFor(r => r.Code).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage("code is required.")
                .Must(c => ReferralCode.TryNormalize(c, out _))
                .WithMessage($"code must be {ReferralCode.Length} characters of {ReferralCode.Alphabet} (case-insensitive).");
        }
    }

    internal sealed class Handler(ReferralsDbContext db, TimeProvider clock) : IRequestHandler<Request, ReferralView>
    {
        public async Task<ReferralView> Handle(Request request, CancellationToken cancellationToken)
        {
            ReferralCode.TryNormalize(request.Code, out var code);
            await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);

            var owner = await db.Users.AsNoTracking().Where(u => u.Code == code).Select(u => u.UserId).SingleOrDefaultAsync(cancellationToken)
                ?? throw ProblemException.Invalid("code", $"No user has the referral code '{code}'.", "referral_code_unknown");
            if (owner == request.UserId)
            {
                throw ProblemException.Invalid("code", "A user cannot be referred with their own code.", "self_referral");
            }

            var existing = await db.Referrals.AsNoTracking().SingleOrDefaultAsync(r => r.ReferredUserId == request.UserId, cancellationToken);
            if (existing is not null)
            {
                throw ProblemException.Conflict(
                    "already_referred",
                    $"User '{request.UserId}' was already referred; a user is referred at most once.",
                    new Dictionary<string, object?> { ["referral_id"] = existing.Id });
            }

            var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.UserId == request.UserId, cancellationToken);
            if (user is { IsPaying: true })
            {
                throw ProblemException.Invalid("user_id", "Only new users can be referred; this user already pays.", "user_already_paying");
            }

            var referral = new Referral
            {
                Id = PrefixedId.New("ref"),
                ReferrerUserId = owner,
                ReferredUserId = request.UserId,
                Code = code,
                CapturedAt = clock.GetUtcNow(),
                RewardStatus = RewardStatuses.Pending,
            };
            db.Referrals.Add(referral);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return ReferralView.Of(referral);
        }
    }
}
