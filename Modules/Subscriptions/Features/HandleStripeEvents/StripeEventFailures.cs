namespace Monetization.Subscriptions.Features.HandleStripeEvents;

/// <summary>
/// The event cannot be applied from what is stored: the pipeline fetches what it names from Stripe, outside the intake's
/// writer loop (<see cref="StripeRefetch"/>), and applies the event again with it (docs/adr/0040). Thrown for a tie (two
/// updates of one subscription with the same <c>created</c> second and different states), and (issue 16) for a
/// subscription or an invoice whose state is not stored yet.
/// </summary>
internal sealed class RefetchRequiredException : Exception
{
    /// <summary>A subscription to fetch: after a tie, or (<paramref name="unknownState"/>) one whose state is not stored.</summary>
    public RefetchRequiredException(string subscriptionId, bool unknownState = false)
        : this(subscriptionId, unknownState, null, null)
    {
    }

    private RefetchRequiredException(string? subscriptionId, bool unknownState, string? invoiceId, string? paymentIntentId)
        : base(Describe(subscriptionId, unknownState, invoiceId, paymentIntentId))
    {
        SubscriptionId = subscriptionId;
        UnknownState = unknownState;
        InvoiceId = invoiceId;
        PaymentIntentId = paymentIntentId;
    }

    /// <summary>The subscription to fetch (<c>GET /v1/subscriptions/{id}</c>), or null.</summary>
    public string? SubscriptionId { get; }

    /// <summary>True when the state is missing rather than tied: a 404 from Stripe then lets the event apply from its own object.</summary>
    public bool UnknownState { get; }

    /// <summary>An invoice never stored here, to fetch (<c>GET /v1/invoices/{id}</c>), or null.</summary>
    public string? InvoiceId { get; }

    /// <summary>
    /// A refunded PaymentIntent whose invoice is not stored: its invoice is looked up (<c>GET /v1/invoice_payments?payment[type]=payment_intent</c>;
    /// since API version 2025-03-31.basil a charge no longer names its invoice) and fetched, or null.
    /// </summary>
    public string? PaymentIntentId { get; }

    /// <summary>
    /// An event that refers to invoice <paramref name="invoiceId"/> (never stored) and, when not null, to subscription
    /// <paramref name="subscriptionId"/> whose state is not stored either: both are fetched before the event applies.
    /// </summary>
    public static RefetchRequiredException ForInvoice(string invoiceId, string? subscriptionId = null) =>
        new(subscriptionId, unknownState: true, invoiceId, null);

    /// <summary>A refund of PaymentIntent <paramref name="paymentIntentId"/> that matches no stored invoice.</summary>
    public static RefetchRequiredException ForPayment(string paymentIntentId) => new(null, unknownState: true, null, paymentIntentId);

    private static string Describe(string? subscriptionId, bool unknownState, string? invoiceId, string? paymentIntentId) =>
        (subscriptionId, invoiceId, paymentIntentId) switch
        {
            (_, _, { } pi) => $"The refund of PaymentIntent {pi} matches no stored invoice; looking its invoice up at Stripe.",
            (_, { } inv, _) => $"The event refers to invoice {inv}{(subscriptionId is null ? "" : $" and subscription {subscriptionId}")}, not stored yet; fetching from Stripe.",
            ({ } sub, _, _) when unknownState => $"The event refers to subscription {sub}, whose state is not stored yet; fetching it from Stripe.",
            _ => $"Two updates of {subscriptionId} share the same created time with different states; re-fetching it from Stripe.",
        };
}

/// <summary>An event names a Stripe customer we cannot match to a user (yet): processing fails and is retried with backoff.</summary>
internal sealed class UnknownCustomerException(string? customerId)
    : Exception($"No user is linked to Stripe customer '{customerId ?? "(none)"}' and the object carries no metadata.user_id; retried later (the checkout.session.completed that links it may come later).")
{
}
