namespace Monetization.Subscriptions.Domain;

/// <summary>Subscription statuses as Stripe writes them, plus <c>none</c> for a user without a subscription.</summary>
internal static class SubscriptionStatuses
{
    public const string None = "none";
    public const string Trialing = "trialing";
    public const string Active = "active";
    public const string PastDue = "past_due";
    public const string Unpaid = "unpaid";
    public const string Canceled = "canceled";
    public const string Incomplete = "incomplete";
    public const string IncompleteExpired = "incomplete_expired";
    public const string Paused = "paused";

    /// <summary>A subscription in this status never changes again (a re-subscription is a new subscription).</summary>
    public static bool IsFinal(string? status) => status is Canceled or IncompleteExpired;

    /// <summary>A subscription in this status is live: it is billed, or will be.</summary>
    public static bool IsLive(string? status) => status is Trialing or Active or PastDue or Unpaid or Paused or Incomplete;
}

/// <summary>
/// One product user as billing knows them: the link to their Stripe customer (kept after cancellation for a later
/// re-subscription), their current subscription as last confirmed by Stripe, grace period, referral credit, and the
/// version of the last <c>SubscriptionChanged</c> published. Table <c>BillingAccounts</c>, key <see cref="UserId"/>.
/// </summary>
internal sealed class BillingAccount
{
    public string UserId { get; set; } = "";

    public string? Email { get; set; }

    /// <summary>Stripe customer (<c>cus_…</c>); unique; null while the customer is being created.</summary>
    public string? StripeCustomerId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The current (latest) Stripe subscription (<c>sub_…</c>).</summary>
    public string? StripeSubscriptionId { get; set; }

    /// <summary>The subscription's item (<c>si_…</c>) that carries the plan price, for plan changes.</summary>
    public string? StripeSubscriptionItemId { get; set; }

    /// <summary>Plan key of the subscription (from its price id; metadata as fallback); null without a subscription.</summary>
    public string? Plan { get; set; }

    public string? Cadence { get; set; }

    public string? PriceId { get; set; }

    /// <summary>Stripe's subscription status, or <c>none</c>.</summary>
    public string Status { get; set; } = SubscriptionStatuses.None;

    public DateTimeOffset? CurrentPeriodStart { get; set; }

    public DateTimeOffset? CurrentPeriodEnd { get; set; }

    public DateTimeOffset? TrialStart { get; set; }

    public DateTimeOffset? TrialEnd { get; set; }

    public bool CancelAtPeriodEnd { get; set; }

    public DateTimeOffset? CancelAt { get; set; }

    public DateTimeOffset? CanceledAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Stripe's <c>created</c> of the current subscription (a newer subscription replaces an older one).</summary>
    public DateTimeOffset? SubscriptionCreatedAt { get; set; }

    /// <summary>The <c>created</c> of the event (or the time of the re-fetch) whose subscription state is stored: older updates are ignored.</summary>
    public DateTimeOffset? StateAsOf { get; set; }

    /// <summary>Until when access is kept while <c>past_due</c> (first failure + <c>Subscriptions:GraceDays</c>); null when not in grace.</summary>
    public DateTimeOffset? GracePeriodEnd { get; set; }

    /// <summary>Paid access from referral credits lasts until this instant (UTC).</summary>
    public DateTimeOffset? CreditUntil { get; set; }

    /// <summary>The <c>trial_end</c> we set on the subscription to defer a paying user's next charge by credited days.</summary>
    public DateTimeOffset? DeferredUntil { get; set; }

    /// <summary>The user had a trial or a paid invoice already (a new checkout gets no trial).</summary>
    public bool TrialUsed { get; set; }

    /// <summary>Version of the last <c>SubscriptionChanged</c> published for the user (monotonic).</summary>
    public long Version { get; set; }

    /// <summary>What the last <c>SubscriptionChanged</c> said (plan, status, tier, reason, …), to publish only on change.</summary>
    public string? PublishedState { get; set; }

    /// <summary>When the effective access may change without a Stripe event (grace or credit end); the access job looks here.</summary>
    public DateTimeOffset? NextAccessCheckAt { get; set; }
}

/// <summary>A Stripe webhook event as received: stored once (key = Stripe's <c>evt_…</c> id), then processed.</summary>
internal sealed class StripeEventRecord
{
    public string Id { get; set; } = "";

    public string Type { get; set; } = "";

    /// <summary>Stripe's <c>created</c> of the event (UTC).</summary>
    public DateTimeOffset Created { get; set; }

    /// <summary>Id of <c>data.object</c>.</summary>
    public string? ObjectId { get; set; }

    /// <summary>Connect: the account the event came from.</summary>
    public string? Account { get; set; }

    public bool Livemode { get; set; }

    /// <summary>The raw body, exactly as received (UTF-8).</summary>
    public string Payload { get; set; } = "";

    /// <summary><see cref="StripeEventStatuses"/>.</summary>
    public string Status { get; set; } = StripeEventStatuses.Received;

    public int Attempts { get; set; }

    /// <summary>The last failure of a <c>failed</c> event, or why an <c>ignored</c> one was not applied (<c>livemode_mismatch: …</c>).</summary>
    public string? LastError { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    public DateTimeOffset? ProcessedAt { get; set; }

    /// <summary>When a failed event is retried next; null when it is not (processed, or out of attempts).</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }
}

/// <summary>Processing states of a stored Stripe event.</summary>
internal static class StripeEventStatuses
{
    public const string Received = "received";
    public const string Processed = "processed";
    public const string Ignored = "ignored";
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Received, Processed, Ignored, Failed];
}

/// <summary>The unique marker of a user's first paid transition (key = user): its presence means the event was published.</summary>
internal sealed class FirstPaidMarker
{
    public string UserId { get; set; } = "";

    public string InvoiceId { get; set; } = "";

    public long AmountPaid { get; set; }

    public string Currency { get; set; } = "";

    public DateTimeOffset OccurredAt { get; set; }
}

/// <summary>A Stripe invoice we saw (key <c>in_…</c>): dedupes <c>InvoicePaid</c> across <c>invoice.paid</c>/<c>invoice.payment_succeeded</c> and maps charges to invoices.</summary>
internal sealed class InvoiceRecord
{
    public string InvoiceId { get; set; } = "";

    public string UserId { get; set; } = "";

    public string? StripeSubscriptionId { get; set; }

    public string Status { get; set; } = "";

    public long AmountDue { get; set; }

    public long AmountPaid { get; set; }

    public string Currency { get; set; } = "";

    public string? ChargeId { get; set; }

    public string? PaymentIntentId { get; set; }

    /// <summary>When <c>InvoicePaid</c> was published (once per invoice).</summary>
    public DateTimeOffset? PaidAt { get; set; }

    public long AttemptCount { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A charge's refunded total as last reported, so <c>PaymentRefunded.RefundedNow</c> counts each refund once.</summary>
internal sealed class ChargeRecord
{
    public string ChargeId { get; set; } = "";

    public long AmountRefunded { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// A referral credit grant applied to a user (key = the issuer's grant id): extends <c>credit_until</c>; for a paying user
/// also defers the next charge through Stripe (<see cref="DeferralState"/>). A reversal seen before its grant leaves a
/// row with <see cref="ReversedAt"/> so the late grant is not applied.
/// </summary>
internal sealed class CreditGrant
{
    public string GrantId { get; set; } = "";

    public string UserId { get; set; } = "";

    public int Days { get; set; }

    public string Reason { get; set; } = "";

    public DateTimeOffset? GrantedAt { get; set; }

    public DateTimeOffset? ReversedAt { get; set; }

    /// <summary><see cref="DeferralStates"/>.</summary>
    public string DeferralState { get; set; } = DeferralStates.None;

    /// <summary>The subscription whose next charge is (to be) deferred.</summary>
    public string? DeferralSubscriptionId { get; set; }

    /// <summary>The <c>trial_end</c> computed for the deferral, stored before Stripe is called so a retry sends the same value.</summary>
    public DateTimeOffset? DeferralTarget { get; set; }

    public int DeferralAttempts { get; set; }

    public string? DeferralError { get; set; }

    public DateTimeOffset? DeferralNextAttemptAt { get; set; }
}

/// <summary>States of the Stripe-side deferral of a paying user's next charge.</summary>
internal static class DeferralStates
{
    public const string None = "none";
    public const string Pending = "pending";
    public const string Done = "done";
    public const string UndoPending = "undo_pending";
    public const string Undone = "undone";
    public const string Failed = "failed";
}
