namespace Monetization.Stripe;

/// <summary>A Checkout Session (<c>cs_…</c>, object <c>checkout.session</c>): a hosted payment page; delivered by <c>checkout.session.completed</c>.</summary>
public sealed class CheckoutSession : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Always <c>checkout.session</c>.</summary>
    public string Object { get; init; } = "checkout.session";

    /// <summary>Known values: <c>payment</c>, <c>subscription</c>, <c>setup</c>.</summary>
    public string Mode { get; init; } = "";

    /// <summary>Known values: <c>open</c>, <c>complete</c>, <c>expired</c>.</summary>
    public string? Status { get; init; }

    /// <summary>Known values: <c>paid</c>, <c>unpaid</c>, <c>no_payment_required</c> (e.g. a trial without a charge).</summary>
    public string? PaymentStatus { get; init; }

    /// <summary>Redirect URL of the hosted page, set while <see cref="Status"/> is <c>open</c>.</summary>
    public string? Url { get; init; }

    /// <summary>Your reference passed at creation (max 200 characters).</summary>
    public string? ClientReferenceId { get; init; }

    /// <summary>The customer (<c>cus_…</c>), if any.</summary>
    public ExpandableField<Customer>? Customer { get; init; }

    /// <summary>Email given at creation (<c>customer_email</c>).</summary>
    public string? CustomerEmail { get; init; }

    /// <summary>Details the customer entered (email, name).</summary>
    public CheckoutCustomerDetails? CustomerDetails { get; init; }

    /// <summary>Subscription mode: the created subscription (<c>sub_…</c>).</summary>
    public ExpandableField<Subscription>? Subscription { get; init; }

    /// <summary>Payment mode: the PaymentIntent (<c>pi_…</c>).</summary>
    public ExpandableField<PaymentIntent>? PaymentIntent { get; init; }

    /// <summary>The invoice created by the session, if any (<c>in_…</c>).</summary>
    public ExpandableField<Invoice>? Invoice { get; init; }

    /// <summary>Total after discounts and taxes, in minor units of <see cref="Currency"/>.</summary>
    public long? AmountTotal { get; init; }

    /// <summary>Total before discounts and taxes, in minor units of <see cref="Currency"/>.</summary>
    public long? AmountSubtotal { get; init; }

    /// <summary>Lower-case ISO 4217 currency.</summary>
    public string? Currency { get; init; }

    /// <summary>Where the customer goes after paying.</summary>
    public string? SuccessUrl { get; init; }

    /// <summary>Where the customer goes when cancelling.</summary>
    public string? CancelUrl { get; init; }

    /// <summary>When the session expires (UTC).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Test or live mode.</summary>
    public bool Livemode { get; init; }

    /// <summary>Session metadata (not copied to the subscription or PaymentIntent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>A Checkout Session's <c>customer_details</c>.</summary>
public sealed class CheckoutCustomerDetails
{
    /// <summary>Email entered by the customer.</summary>
    public string? Email { get; init; }

    /// <summary>Name entered by the customer.</summary>
    public string? Name { get; init; }
}

/// <summary>A customer portal session (<c>bps_…</c>, object <c>billing_portal.session</c>).</summary>
public sealed class BillingPortalSession : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Always <c>billing_portal.session</c>.</summary>
    public string Object { get; init; } = "billing_portal.session";

    /// <summary>The customer (<c>cus_…</c>).</summary>
    public string? Customer { get; init; }

    /// <summary>Single-use link to the portal.</summary>
    public string Url { get; init; } = "";

    /// <summary>Where the portal's return link leads.</summary>
    public string? ReturnUrl { get; init; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Test or live mode.</summary>
    public bool Livemode { get; init; }
}
