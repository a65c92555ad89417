namespace Monetization.Stripe;

/// <summary>Per-call options accepted by every <see cref="IStripeClient"/> operation.</summary>
public sealed class StripeRequestOptions
{
    /// <summary>
    /// <c>Idempotency-Key</c> for a POST. Supply a natural key when the operation has one (for example
    /// <c>payout:{developer}:{period}</c>); Stripe replays the first result for the same key for at least 24 h
    /// and rejects a reuse with different parameters (<see cref="StripeIdempotencyException"/>). When null, the client
    /// generates one key per logical call and reuses it on every retry of that call. Ignored for GET and DELETE.
    /// At most 255 characters.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Connect: the <c>Stripe-Account</c> header (<c>acct_…</c>) to make the call as a connected account.</summary>
    public string? StripeAccount { get; init; }
}
