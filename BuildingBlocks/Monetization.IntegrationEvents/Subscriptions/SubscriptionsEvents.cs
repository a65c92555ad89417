namespace Monetization.IntegrationEvents.Subscriptions;

/// <summary>Well-known values of the <c>purpose</c> metadata a module sets on a payment-mode checkout session.</summary>
public static class CheckoutPurposes
{
    /// <summary>A one-time plugin purchase (Marketplace).</summary>
    public const string MarketplacePlugin = "marketplace.plugin";

    /// <summary>A prepaid credit package (Usage).</summary>
    public const string UsageCredits = "usage.credits";

    /// <summary>Extra quota slots (Usage).</summary>
    public const string UsageSlots = "usage.slots";
}

/// <summary>A user of the product was linked to a Stripe customer (<c>cus_…</c>).</summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When the link was recorded, UTC.</param>
/// <param name="UserId">The product's user id.</param>
/// <param name="StripeCustomerId">Stripe's customer id.</param>
/// <param name="Email">The e-mail given at checkout, if any.</param>
public sealed record StripeCustomerLinked(Guid EventId, DateTimeOffset OccurredAt, string UserId, string StripeCustomerId, string? Email)
    : IIntegrationEvent;

/// <summary>
/// Numeric limits and feature flags of a plan. A null limit is unlimited. Monthly limits (<see cref="ApiCalls"/>,
/// <see cref="Tokens"/>) reset each calendar month (UTC).
/// </summary>
/// <param name="Projects">Concurrent projects.</param>
/// <param name="Deploys">Concurrent deploys.</param>
/// <param name="ApiCalls">API calls per month.</param>
/// <param name="Tokens">Tokens per month.</param>
/// <param name="Features">Feature flags the plan turns on.</param>
public sealed record PlanEntitlements(long? Projects, long? Deploys, long? ApiCalls, long? Tokens, IReadOnlyList<string> Features);

/// <summary>
/// The user's effective plan or subscription state changed. Carries enough for other modules to enforce limits
/// without asking (Usage keeps the latest per user, ordered by <see cref="Version"/>).
/// </summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When the change was recorded, UTC.</param>
/// <param name="UserId">The product's user id.</param>
/// <param name="Plan">Plan key whose entitlements apply now (<c>free</c> when access is free).</param>
/// <param name="Status">Stripe's subscription status (<c>trialing</c>, <c>active</c>, <c>past_due</c>, <c>canceled</c>, …) or <c>none</c>.</param>
/// <param name="AccessTier"><c>paid</c> or <c>free</c>: the effective access after trial, grace and credit.</param>
/// <param name="Cadence"><c>monthly</c>, <c>annual</c>, or null without a subscription.</param>
/// <param name="StripeCustomerId">Stripe customer id, if known.</param>
/// <param name="StripeSubscriptionId">Stripe subscription id, if any.</param>
/// <param name="CurrentPeriodEnd">End of the current billing period, UTC.</param>
/// <param name="Entitlements">The limits of <paramref name="Plan"/>.</param>
/// <param name="Version">Monotonic per user: a consumer ignores a change whose version is not above the last it applied.</param>
/// <param name="AccessReason">Why access is what it is: <c>subscription</c>, <c>trial</c>, <c>grace</c>, <c>credit</c> or <c>none</c> (added later; null from older publishers).</param>
/// <param name="AccessUntil">Until when paid access is assured as of this change (period end, trial end, grace end or credit end, the latest), UTC; null for free access.</param>
/// <param name="CancelAtPeriodEnd">Stripe's <c>cancel_at_period_end</c>: the subscription ends at <paramref name="CurrentPeriodEnd"/>.</param>
/// <param name="PreviousPlan">The plan of the user's previous publication, or null for the first (and from older publishers); issue 18's <c>access.changed</c> reads it.</param>
/// <param name="PreviousStatus">The status of the previous publication, or null (a <c>past_due</c> → <c>active</c> change is a recovered payment).</param>
/// <param name="PreviousAccessTier">The access tier of the previous publication, or null.</param>
public sealed record SubscriptionChanged(
    Guid EventId,
    DateTimeOffset OccurredAt,
    string UserId,
    string Plan,
    string Status,
    string AccessTier,
    string? Cadence,
    string? StripeCustomerId,
    string? StripeSubscriptionId,
    DateTimeOffset? CurrentPeriodEnd,
    PlanEntitlements Entitlements,
    long Version,
    string? AccessReason = null,
    DateTimeOffset? AccessUntil = null,
    bool CancelAtPeriodEnd = false,
    string? PreviousPlan = null,
    string? PreviousStatus = null,
    string? PreviousAccessTier = null) : IIntegrationEvent;

/// <summary>
/// Money was collected from the user for a paid plan for the first time ever (the first paid invoice with an
/// amount above zero; a trial is not payment). Published exactly once per user.
/// </summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When the payment was recorded, UTC.</param>
/// <param name="UserId">The product's user id.</param>
/// <param name="StripeCustomerId">Stripe customer id.</param>
/// <param name="StripeSubscriptionId">Stripe subscription id the invoice belongs to.</param>
/// <param name="InvoiceId">Stripe invoice id (<c>in_…</c>) of the first payment.</param>
/// <param name="ChargeId">Stripe charge id of that payment, when known (refunds refer to it).</param>
/// <param name="Plan">The plan paid for.</param>
/// <param name="AmountPaid">Amount collected, minor units of <paramref name="Currency"/>.</param>
/// <param name="Currency">ISO 4217, lowercase.</param>
/// <param name="Email">The customer's e-mail, when known (Referrals uses it against self-referral).</param>
public sealed record FirstPaidTransition(
    Guid EventId,
    DateTimeOffset OccurredAt,
    string UserId,
    string StripeCustomerId,
    string? StripeSubscriptionId,
    string InvoiceId,
    string? ChargeId,
    string Plan,
    long AmountPaid,
    string Currency,
    string? Email) : IIntegrationEvent;

/// <summary>One line of a paid invoice (Stripe's invoice line item).</summary>
/// <param name="LineId">Stripe's line id (<c>il_…</c>); unique per invoice.</param>
/// <param name="PriceId">Stripe price id, if the line has one.</param>
/// <param name="SubscriptionItemId">Subscription item id (<c>si_…</c>), for subscription lines.</param>
/// <param name="Amount">Line amount, minor units (negative for credits and prorations in the user's favour).</param>
/// <param name="Currency">ISO 4217, lowercase.</param>
/// <param name="Quantity">Quantity billed.</param>
/// <param name="PeriodStart">Service period start, UTC.</param>
/// <param name="PeriodEnd">Service period end, UTC.</param>
/// <param name="Metadata">The line's metadata (string to string).</param>
public sealed record InvoiceLine(
    string LineId,
    string? PriceId,
    string? SubscriptionItemId,
    long Amount,
    string Currency,
    long Quantity,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>A Stripe invoice was paid (<c>invoice.paid</c>).</summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When the payment was recorded, UTC.</param>
/// <param name="UserId">The product's user id.</param>
/// <param name="StripeCustomerId">Stripe customer id.</param>
/// <param name="InvoiceId">Stripe invoice id.</param>
/// <param name="StripeSubscriptionId">Subscription id, for subscription invoices.</param>
/// <param name="BillingReason">Stripe's <c>billing_reason</c> (<c>subscription_create</c>, <c>subscription_cycle</c>, <c>manual</c>, …).</param>
/// <param name="AmountPaid">Minor units.</param>
/// <param name="Currency">ISO 4217, lowercase.</param>
/// <param name="ChargeId">Charge id of the payment, when known.</param>
/// <param name="PaymentIntentId">Payment intent id, when known.</param>
/// <param name="Lines">The invoice's lines.</param>
/// <param name="Metadata">The invoice's metadata.</param>
public sealed record InvoicePaid(
    Guid EventId,
    DateTimeOffset OccurredAt,
    string UserId,
    string StripeCustomerId,
    string InvoiceId,
    string? StripeSubscriptionId,
    string? BillingReason,
    long AmountPaid,
    string Currency,
    string? ChargeId,
    string? PaymentIntentId,
    IReadOnlyList<InvoiceLine> Lines,
    IReadOnlyDictionary<string, string> Metadata) : IIntegrationEvent;

/// <summary>A Stripe invoice payment attempt failed (<c>invoice.payment_failed</c>).</summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When the failure was recorded, UTC.</param>
/// <param name="UserId">The product's user id.</param>
/// <param name="InvoiceId">Stripe invoice id.</param>
/// <param name="StripeSubscriptionId">Subscription id, for subscription invoices.</param>
/// <param name="AmountDue">Minor units.</param>
/// <param name="Currency">ISO 4217, lowercase.</param>
/// <param name="AttemptCount">Stripe's <c>attempt_count</c>.</param>
/// <param name="NextPaymentAttempt">Stripe's <c>next_payment_attempt</c>, UTC, null after the last retry.</param>
/// <param name="GracePeriodEnd">Until when access is kept while past due, UTC.</param>
public sealed record InvoicePaymentFailed(
    Guid EventId,
    DateTimeOffset OccurredAt,
    string UserId,
    string InvoiceId,
    string? StripeSubscriptionId,
    long AmountDue,
    string Currency,
    long AttemptCount,
    DateTimeOffset? NextPaymentAttempt,
    DateTimeOffset? GracePeriodEnd) : IIntegrationEvent;

/// <summary>
/// A payment-mode checkout session completed and was paid (one-time purchases). <see cref="Purpose"/> is the
/// <c>purpose</c> metadata the creating module set (<see cref="CheckoutPurposes"/>), so each module picks its own.
/// </summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When the completion was recorded, UTC.</param>
/// <param name="CheckoutSessionId">Stripe checkout session id (<c>cs_…</c>).</param>
/// <param name="UserId">The session's <c>client_reference_id</c> or <c>metadata.user_id</c>, if any.</param>
/// <param name="StripeCustomerId">Stripe customer id, if any.</param>
/// <param name="Purpose">The session's <c>metadata.purpose</c>, or empty.</param>
/// <param name="AmountTotal">Amount paid, minor units.</param>
/// <param name="Currency">ISO 4217, lowercase.</param>
/// <param name="PaymentIntentId">Payment intent id (<c>pi_…</c>), refunds refer to it.</param>
/// <param name="Metadata">The session's metadata.</param>
public sealed record CheckoutCompleted(
    Guid EventId,
    DateTimeOffset OccurredAt,
    string CheckoutSessionId,
    string? UserId,
    string? StripeCustomerId,
    string Purpose,
    long AmountTotal,
    string Currency,
    string? PaymentIntentId,
    IReadOnlyDictionary<string, string> Metadata) : IIntegrationEvent;

/// <summary>A charge was refunded in part or in full (<c>charge.refunded</c>).</summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When the refund was recorded, UTC.</param>
/// <param name="ChargeId">Stripe charge id (<c>ch_…</c>).</param>
/// <param name="PaymentIntentId">Payment intent id, when known.</param>
/// <param name="InvoiceId">Invoice id the charge paid, when known.</param>
/// <param name="UserId">The product's user id, when the customer is known.</param>
/// <param name="StripeCustomerId">Stripe customer id, when known.</param>
/// <param name="ChargeAmount">The charge's amount, minor units.</param>
/// <param name="AmountRefunded">Cumulative amount refunded on the charge so far, minor units.</param>
/// <param name="RefundedNow">Amount refunded by this occurrence (cumulative minus what an earlier event reported, when known), minor units.</param>
/// <param name="Currency">ISO 4217, lowercase.</param>
/// <param name="FullyRefunded">Stripe's <c>refunded</c>: the whole charge is refunded.</param>
public sealed record PaymentRefunded(
    Guid EventId,
    DateTimeOffset OccurredAt,
    string ChargeId,
    string? PaymentIntentId,
    string? InvoiceId,
    string? UserId,
    string? StripeCustomerId,
    long ChargeAmount,
    long AmountRefunded,
    long RefundedNow,
    string Currency,
    bool FullyRefunded) : IIntegrationEvent;

/// <summary>A Stripe Connect account changed (<c>account.updated</c>).</summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When the update was recorded, UTC.</param>
/// <param name="AccountId">Connected account id (<c>acct_…</c>).</param>
/// <param name="ChargesEnabled">Stripe's <c>charges_enabled</c>.</param>
/// <param name="PayoutsEnabled">Stripe's <c>payouts_enabled</c>.</param>
/// <param name="DetailsSubmitted">Stripe's <c>details_submitted</c>.</param>
public sealed record ConnectedAccountUpdated(
    Guid EventId,
    DateTimeOffset OccurredAt,
    string AccountId,
    bool ChargesEnabled,
    bool PayoutsEnabled,
    bool DetailsSubmitted) : IIntegrationEvent;

/// <summary>
/// Stripe voided an invoice (<c>invoice.voided</c>): it will never be paid, and what it billed is no longer owed. Usage
/// voids its usage invoice of that Stripe invoice (issue 20: uncollected plugin charges dropped, credits given back).
/// </summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When the void was recorded, UTC.</param>
/// <param name="UserId">The product's user id, when the customer is known.</param>
/// <param name="InvoiceId">Stripe invoice id (<c>in_…</c>).</param>
/// <param name="SubscriptionId">The invoice's subscription (<c>parent.subscription_details.subscription</c>), or null.</param>
/// <param name="AmountDue">What the invoice asked for before it was voided, minor units.</param>
/// <param name="Currency">ISO 4217, lowercase.</param>
/// <param name="Metadata">The invoice's metadata (a usage invoice carries <c>usage_invoice_id</c>).</param>
public sealed record InvoiceVoided(
    Guid EventId,
    DateTimeOffset OccurredAt,
    string? UserId,
    string InvoiceId,
    string? SubscriptionId,
    long AmountDue,
    string Currency,
    IReadOnlyDictionary<string, string> Metadata) : IIntegrationEvent;
