namespace Monetization.Stripe;

/// <summary>
/// A Subscription (<c>sub_…</c>). Since API 2025-03-31.basil the billing period lives on each item
/// (<see cref="SubscriptionItem.CurrentPeriodStart"/>/<see cref="SubscriptionItem.CurrentPeriodEnd"/>), not here.
/// </summary>
public sealed class Subscription : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Always <c>subscription</c>.</summary>
    public string Object { get; init; } = "subscription";

    /// <summary>Known values: <c>trialing</c>, <c>active</c>, <c>past_due</c>, <c>unpaid</c>, <c>canceled</c>, <c>incomplete</c>, <c>incomplete_expired</c>, <c>paused</c>.</summary>
    public string Status { get; init; } = "";

    /// <summary>The customer (<c>cus_…</c>).</summary>
    public ExpandableField<Customer>? Customer { get; init; }

    /// <summary>The subscription items (one per price).</summary>
    public StripeList<SubscriptionItem> Items { get; init; } = new();

    /// <summary>Whether the subscription ends at the end of the current period.</summary>
    public bool CancelAtPeriodEnd { get; init; }

    /// <summary>When the subscription is scheduled to end (UTC), if scheduled.</summary>
    public DateTimeOffset? CancelAt { get; init; }

    /// <summary>When cancellation was requested (UTC).</summary>
    public DateTimeOffset? CanceledAt { get; init; }

    /// <summary>When the subscription ended (UTC).</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Why it was cancelled.</summary>
    public SubscriptionCancellationDetails? CancellationDetails { get; init; }

    /// <summary>Trial start (UTC).</summary>
    public DateTimeOffset? TrialStart { get; init; }

    /// <summary>Trial end (UTC).</summary>
    public DateTimeOffset? TrialEnd { get; init; }

    /// <summary>Start of the subscription (UTC).</summary>
    public DateTimeOffset? StartDate { get; init; }

    /// <summary>Anchor that determines the billing dates (UTC).</summary>
    public DateTimeOffset? BillingCycleAnchor { get; init; }

    /// <summary>Most recent invoice (<c>in_…</c>).</summary>
    public ExpandableField<Invoice>? LatestInvoice { get; init; }

    /// <summary>Default payment method id (<c>pm_…</c>).</summary>
    public string? DefaultPaymentMethod { get; init; }

    /// <summary>Known values: <c>charge_automatically</c>, <c>send_invoice</c>.</summary>
    public string? CollectionMethod { get; init; }

    /// <summary>Lower-case ISO 4217 currency.</summary>
    public string? Currency { get; init; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Test or live mode.</summary>
    public bool Livemode { get; init; }

    /// <summary>Your key/value pairs (set via <c>subscription_data[metadata]</c> in Checkout).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>A subscription's <c>cancellation_details</c>.</summary>
public sealed class SubscriptionCancellationDetails
{
    /// <summary>Customer's comment.</summary>
    public string? Comment { get; init; }

    /// <summary>Known values: <c>customer_service</c>, <c>low_quality</c>, <c>missing_features</c>, <c>other</c>, <c>switched_service</c>, <c>too_complex</c>, <c>too_expensive</c>, <c>unused</c>.</summary>
    public string? Feedback { get; init; }

    /// <summary>Known values: <c>cancellation_requested</c>, <c>payment_disputed</c>, <c>payment_failed</c>.</summary>
    public string? Reason { get; init; }
}

/// <summary>A subscription item (<c>si_…</c>): one price on a subscription, with its own billing period (dahlia).</summary>
public sealed class SubscriptionItem : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Always <c>subscription_item</c>.</summary>
    public string Object { get; init; } = "subscription_item";

    /// <summary>The price (always a full object on subscription items).</summary>
    public Price? Price { get; init; }

    /// <summary>Quantity (licensed prices).</summary>
    public long? Quantity { get; init; }

    /// <summary>The subscription (<c>sub_…</c>).</summary>
    public string? Subscription { get; init; }

    /// <summary>Start of the item's current period (UTC).</summary>
    public DateTimeOffset? CurrentPeriodStart { get; init; }

    /// <summary>End of the item's current period (UTC).</summary>
    public DateTimeOffset? CurrentPeriodEnd { get; init; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Your key/value pairs.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
