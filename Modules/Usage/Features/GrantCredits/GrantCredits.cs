using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.GrantCredits;

/// <summary><c>POST /v1/usage/{user_id}/credits/grants</c> (admin): grants credit in the billing currency, optionally expiring; written to the ledger.</summary>
internal static class GrantCredits
{
    /// <summary>Body.</summary>
    /// <param name="Amount">Minor units, above zero.</param>
    /// <param name="Currency">ISO 4217; must be <c>Usage:Currency</c>.</param>
    /// <param name="ExpiresAt">Expiry (UTC), in the future; null = never.</param>
    /// <param name="Reason">Why, 1..500 characters.</param>
    internal sealed record Body(long? Amount, string? Currency, DateTimeOffset? ExpiresAt, string? Reason)
    {
        // Hand-written: the route's values join the body here, which a Mapster mapping of Body alone cannot see.
        public Request ToRequest(string userId) => new(userId, Amount, Currency, ExpiresAt, Reason);
    }

    /// <summary>The grant.</summary>
    internal sealed record Request(string UserId, long? Amount, string? Currency, DateTimeOffset? ExpiresAt, string? Reason) : IRequest<Response>;

    /// <summary>The grant made.</summary>
    /// <param name="GrantId">Id (<c>cgr_…</c>).</param>
    /// <param name="UserId">User.</param>
    /// <param name="Amount">Minor units.</param>
    /// <param name="Currency">ISO 4217.</param>
    /// <param name="ExpiresAt">Expiry, UTC.</param>
    /// <param name="Reason">Why.</param>
    internal sealed record Response(string GrantId, string UserId, long Amount, string Currency, DateTimeOffset? ExpiresAt, string Reason);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator(TokenPricing pricing, TimeProvider clock)
        {
            RuleFor(r => r.UserId).MustBeUserId();
            RuleFor(r => r.Amount).NotNull().GreaterThan(0).LessThanOrEqualTo(100_000_000_00);
            RuleFor(r => r.Currency).NotEmpty().Must(c => string.Equals(c, pricing.Currency, StringComparison.OrdinalIgnoreCase))
                .WithMessage($"currency must be the billing currency '{pricing.Currency}' (Usage:Currency).");
            RuleFor(r => r.ExpiresAt).Must(e => e is null || e > clock.GetUtcNow()).WithMessage("expires_at must be in the future.");
            RuleFor(r => r.Reason).NotEmpty().MaximumLength(500);
        }
    }

    internal sealed class Handler(UsageDbContext db, TimeProvider clock) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var currency = request.Currency!.ToLowerInvariant();
            var grant = CreditWallet.Grant(db, request.UserId, request.Amount!.Value, currency, request.ExpiresAt?.ToUniversalTime(), request.Reason!, "admin", null, clock.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
            return new Response(grant.Id, grant.UserId, grant.Amount, grant.Currency, grant.ExpiresAt, grant.Reason);
        }
    }
}
