namespace Monetization.Marketplace.Domain;

/// <summary>What a <see cref="StripeCall"/> asks Stripe to do.</summary>
internal static class StripeCallKinds
{
    /// <summary>Reverse the developer's part of a refund on the transfer that paid it (<c>POST /v1/transfers/{id}/reversals</c>).</summary>
    public const string TransferReversal = "transfer_reversal";

    /// <summary>Add a monthly plugin's price to the user's subscription, prorated (<c>POST /v1/subscription_items</c>).</summary>
    public const string CreateSubscriptionItem = "create_subscription_item";

    /// <summary>Remove an item that was created for an install that no longer wants it (<c>DELETE /v1/subscription_items/{id}</c>).</summary>
    public const string DeleteSubscriptionItem = "delete_subscription_item";
}

/// <summary><see cref="StripeCall"/> states.</summary>
internal static class StripeCallStatuses
{
    /// <summary>Not done yet: due at <see cref="StripeCall.NextAttemptAt"/> (or leased by a runner until <see cref="StripeCall.LeaseUntil"/>).</summary>
    public const string Pending = "pending";

    /// <summary>Stripe did it and the result is recorded.</summary>
    public const string Done = "done";

    /// <summary>Stripe refused it (a 4xx such as <c>balance_insufficient</c>) or it failed <c>StripeCallMaxAttempts</c> times; the fallback was applied.</summary>
    public const string Refused = "refused";
}

/// <summary>
/// A Stripe call a consumer decided on, recorded in the consumer's own transaction and made afterwards, outside any
/// database transaction, by <c>StripeCallRunner</c> (so the module's SQLite write lock is never held across a network
/// call). The idempotency key is fixed when the intent is recorded, so a retry after a failure or a crash between the
/// call and the recording of its result replays Stripe's first answer: done once, recorded once. Unique per
/// <see cref="IdempotencyKey"/>.
/// </summary>
internal sealed class StripeCall
{
    /// <summary>Our id (<c>scall_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary><see cref="StripeCallKinds"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>
    /// The Stripe <c>Idempotency-Key</c>: <c>marketplace:reversal:{refund event id}</c>,
    /// <c>marketplace:install:{install}:item:{subscription}</c> or <c>marketplace:install:{install}:item:{item}:delete</c>.
    /// </summary>
    public required string IdempotencyKey { get; init; }

    /// <summary>Reversal: the refund revenue event it recovers.</summary>
    public string? RevenueEventId { get; init; }

    /// <summary>Reversal: the transfer reversed.</summary>
    public string? TransferId { get; init; }

    /// <summary>Reversal: amount, minor units (positive).</summary>
    public long Amount { get; init; }

    /// <summary>Reversal: ISO 4217, lowercase.</summary>
    public string? Currency { get; init; }

    /// <summary>Subscription item calls: the install.</summary>
    public string? InstallId { get; init; }

    /// <summary>Create: the subscription the item is added to.</summary>
    public string? SubscriptionId { get; init; }

    /// <summary>Delete: the item removed.</summary>
    public string? SubscriptionItemId { get; init; }

    /// <summary><see cref="StripeCallStatuses"/>.</summary>
    public string Status { get; set; } = StripeCallStatuses.Pending;

    /// <summary>Attempts so far.</summary>
    public int Attempts { get; set; }

    /// <summary>When it is due (again), UTC.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>The runner holding it, while it calls Stripe.</summary>
    public string? LeaseToken { get; set; }

    /// <summary>The holding runner's lease ends then, UTC (a crashed runner's call is taken again afterwards).</summary>
    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>The last Stripe error.</summary>
    public string? LastError { get; set; }

    /// <summary>Id of what Stripe created (<c>trr_…</c>, <c>si_…</c>).</summary>
    public string? ResultId { get; set; }

    /// <summary>When it was recorded, UTC.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it ended (done or refused), UTC.</summary>
    public DateTimeOffset? CompletedAt { get; set; }
}
