namespace Monetization.Stripe;

/// <summary>
/// An Invoice (<c>in_…</c>). Since API 2025-03-31.basil the subscription is at
/// <c>parent.subscription_details.subscription</c> (<see cref="SubscriptionId"/>) and <c>charge</c>/<c>payment_intent</c>
/// are gone; payments are in <see cref="Payments"/> when expanded, or come with <c>invoice_payment.paid</c> events.
/// </summary>
public sealed class Invoice : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Always <c>invoice</c>.</summary>
    public string Object { get; init; } = "invoice";

    /// <summary>Known values: <c>draft</c>, <c>open</c>, <c>paid</c>, <c>uncollectible</c>, <c>void</c>.</summary>
    public string? Status { get; init; }

    /// <summary>The customer (<c>cus_…</c>).</summary>
    public ExpandableField<Customer>? Customer { get; init; }

    /// <summary>Lower-case ISO 4217 currency of all amounts.</summary>
    public string Currency { get; init; } = "";

    /// <summary>Amount due, in minor units.</summary>
    public long AmountDue { get; init; }

    /// <summary>Amount paid, in minor units.</summary>
    public long AmountPaid { get; init; }

    /// <summary>Amount remaining, in minor units.</summary>
    public long AmountRemaining { get; init; }

    /// <summary>Total before discounts and taxes, in minor units.</summary>
    public long Subtotal { get; init; }

    /// <summary>Total after discounts and taxes, in minor units.</summary>
    public long Total { get; init; }

    /// <summary>Number of payment attempts made.</summary>
    public long AttemptCount { get; init; }

    /// <summary>Whether a payment attempt was made.</summary>
    public bool Attempted { get; init; }

    /// <summary>When the next automatic payment attempt happens (UTC), null when none is scheduled.</summary>
    public DateTimeOffset? NextPaymentAttempt { get; init; }

    /// <summary>Known values: <c>subscription_create</c>, <c>subscription_cycle</c>, <c>subscription_update</c>, <c>subscription_threshold</c>, <c>subscription</c>, <c>manual</c>, <c>upcoming</c>, <c>automatic_pending_invoice_item_invoice</c>, <c>quote_accept</c>.</summary>
    public string? BillingReason { get; init; }

    /// <summary>Known values: <c>charge_automatically</c>, <c>send_invoice</c>.</summary>
    public string? CollectionMethod { get; init; }

    /// <summary>Whether Stripe finalizes and collects the invoice automatically.</summary>
    public bool? AutoAdvance { get; init; }

    /// <summary>What created the invoice (subscription, quote), with its ids.</summary>
    public InvoiceParent? Parent { get; init; }

    /// <summary>The subscription (<c>sub_…</c>) from <c>parent.subscription_details.subscription</c>, if any.</summary>
    public string? SubscriptionId => Parent?.SubscriptionDetails?.Subscription;

    /// <summary>The invoice lines (first page).</summary>
    public StripeList<InvoiceLineItem> Lines { get; init; } = new();

    /// <summary>Payments of the invoice; present only when requested with <c>expand[]=payments</c>.</summary>
    public StripeList<InvoicePayment>? Payments { get; init; }

    /// <summary>Invoice number.</summary>
    public string? Number { get; init; }

    /// <summary>Hosted payment page.</summary>
    public string? HostedInvoiceUrl { get; init; }

    /// <summary>PDF link.</summary>
    public string? InvoicePdf { get; init; }

    /// <summary>Customer email at finalization.</summary>
    public string? CustomerEmail { get; init; }

    /// <summary>Start of the billed usage period (UTC).</summary>
    public DateTimeOffset? PeriodStart { get; init; }

    /// <summary>End of the billed usage period (UTC).</summary>
    public DateTimeOffset? PeriodEnd { get; init; }

    /// <summary>Due date for <c>send_invoice</c> (UTC).</summary>
    public DateTimeOffset? DueDate { get; init; }

    /// <summary>Status change times.</summary>
    public InvoiceStatusTransitions? StatusTransitions { get; init; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Test or live mode.</summary>
    public bool Livemode { get; init; }

    /// <summary>Your key/value pairs.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>An invoice's <c>status_transitions</c>.</summary>
public sealed class InvoiceStatusTransitions
{
    /// <summary>When finalized (UTC).</summary>
    public DateTimeOffset? FinalizedAt { get; init; }

    /// <summary>When paid (UTC).</summary>
    public DateTimeOffset? PaidAt { get; init; }

    /// <summary>When marked uncollectible (UTC).</summary>
    public DateTimeOffset? MarkedUncollectibleAt { get; init; }

    /// <summary>When voided (UTC).</summary>
    public DateTimeOffset? VoidedAt { get; init; }
}

/// <summary>An invoice's <c>parent</c> (since basil).</summary>
public sealed class InvoiceParent
{
    /// <summary>Known values: <c>subscription_details</c>, <c>quote_details</c>.</summary>
    public string? Type { get; init; }

    /// <summary>Set when a subscription created the invoice.</summary>
    public InvoiceSubscriptionDetails? SubscriptionDetails { get; init; }
}

/// <summary><c>parent.subscription_details</c> of an invoice.</summary>
public sealed class InvoiceSubscriptionDetails
{
    /// <summary>The subscription (<c>sub_…</c>).</summary>
    public string? Subscription { get; init; }

    /// <summary>The subscription's metadata when the invoice was created.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>An invoice payment (<c>invoice_payment</c>, <c>inpay_…</c>).</summary>
public sealed class InvoicePayment : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Amount paid, in minor units; null until paid.</summary>
    public long? AmountPaid { get; init; }

    /// <summary>Amount requested, in minor units.</summary>
    public long? AmountRequested { get; init; }

    /// <summary>Lower-case ISO 4217 currency.</summary>
    public string? Currency { get; init; }

    /// <summary>Known values: <c>open</c>, <c>paid</c>, <c>canceled</c>.</summary>
    public string? Status { get; init; }

    /// <summary>The payment (PaymentIntent or charge id).</summary>
    public InvoicePaymentDetails? Payment { get; init; }
}

/// <summary>The <c>payment</c> of an invoice payment.</summary>
public sealed class InvoicePaymentDetails
{
    /// <summary>Known values: <c>payment_intent</c>, <c>charge</c>, <c>payment_record</c>.</summary>
    public string? Type { get; init; }

    /// <summary>The PaymentIntent (<c>pi_…</c>).</summary>
    public ExpandableField<PaymentIntent>? PaymentIntent { get; init; }

    /// <summary>The charge (<c>ch_…</c>).</summary>
    public ExpandableField<Charge>? Charge { get; init; }
}

/// <summary>An invoice line (<c>line_item</c>, <c>il_…</c>).</summary>
public sealed class InvoiceLineItem : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Always <c>line_item</c>.</summary>
    public string Object { get; init; } = "line_item";

    /// <summary>Amount in minor units of <see cref="Currency"/>.</summary>
    public long Amount { get; init; }

    /// <summary>Lower-case ISO 4217 currency.</summary>
    public string Currency { get; init; } = "";

    /// <summary>Description shown on the invoice.</summary>
    public string? Description { get; init; }

    /// <summary>The invoice (<c>in_…</c>).</summary>
    public string? Invoice { get; init; }

    /// <summary>Quantity.</summary>
    public long? Quantity { get; init; }

    /// <summary>Billed period.</summary>
    public StripePeriod? Period { get; init; }

    /// <summary>Price details (<c>pricing.price_details.price</c>/<c>product</c>).</summary>
    public InvoicePricing? Pricing { get; init; }

    /// <summary>What produced the line (subscription item or invoice item).</summary>
    public InvoiceLineParent? Parent { get; init; }

    /// <summary>Your key/value pairs.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>A <c>period</c> with start and end (UTC).</summary>
public sealed class StripePeriod
{
    /// <summary>Start (UTC).</summary>
    public DateTimeOffset? Start { get; init; }

    /// <summary>End (UTC).</summary>
    public DateTimeOffset? End { get; init; }
}

/// <summary><c>pricing</c> of an invoice line or invoice item.</summary>
public sealed class InvoicePricing
{
    /// <summary>Known value: <c>price_details</c>.</summary>
    public string? Type { get; init; }

    /// <summary>The price and product ids.</summary>
    public InvoicePriceDetails? PriceDetails { get; init; }

    /// <summary>Unit amount in minor units, as a decimal string.</summary>
    public string? UnitAmountDecimal { get; init; }
}

/// <summary><c>pricing.price_details</c>.</summary>
public sealed class InvoicePriceDetails
{
    /// <summary>The price (<c>price_…</c>).</summary>
    public string? Price { get; init; }

    /// <summary>The product (<c>prod_…</c>).</summary>
    public string? Product { get; init; }
}

/// <summary><c>parent</c> of an invoice line.</summary>
public sealed class InvoiceLineParent
{
    /// <summary>Known values: <c>subscription_item_details</c>, <c>invoice_item_details</c>.</summary>
    public string? Type { get; init; }

    /// <summary>Set for subscription lines.</summary>
    public InvoiceLineSubscriptionItemDetails? SubscriptionItemDetails { get; init; }

    /// <summary>Set for invoice-item lines.</summary>
    public InvoiceLineInvoiceItemDetails? InvoiceItemDetails { get; init; }
}

/// <summary><c>parent.subscription_item_details</c> of an invoice line.</summary>
public sealed class InvoiceLineSubscriptionItemDetails
{
    /// <summary>The subscription (<c>sub_…</c>).</summary>
    public string? Subscription { get; init; }

    /// <summary>The subscription item (<c>si_…</c>).</summary>
    public string? SubscriptionItem { get; init; }

    /// <summary>The invoice item, for proration lines.</summary>
    public string? InvoiceItem { get; init; }

    /// <summary>Whether this is a proration.</summary>
    public bool Proration { get; init; }
}

/// <summary><c>parent.invoice_item_details</c> of an invoice line.</summary>
public sealed class InvoiceLineInvoiceItemDetails
{
    /// <summary>The invoice item (<c>ii_…</c>).</summary>
    public string? InvoiceItem { get; init; }

    /// <summary>The subscription, if any.</summary>
    public string? Subscription { get; init; }

    /// <summary>Whether this is a proration.</summary>
    public bool Proration { get; init; }
}

/// <summary>An invoice item (<c>ii_…</c>, object <c>invoiceitem</c>): a pending or attached charge.</summary>
public sealed class InvoiceItem : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Always <c>invoiceitem</c>.</summary>
    public string Object { get; init; } = "invoiceitem";

    /// <summary>Amount in minor units of <see cref="Currency"/>.</summary>
    public long Amount { get; init; }

    /// <summary>Lower-case ISO 4217 currency.</summary>
    public string Currency { get; init; } = "";

    /// <summary>The customer (<c>cus_…</c>).</summary>
    public ExpandableField<Customer>? Customer { get; init; }

    /// <summary>The invoice it is attached to; null while pending.</summary>
    public ExpandableField<Invoice>? Invoice { get; init; }

    /// <summary>Description.</summary>
    public string? Description { get; init; }

    /// <summary>Quantity.</summary>
    public long? Quantity { get; init; }

    /// <summary>Billed period.</summary>
    public StripePeriod? Period { get; init; }

    /// <summary>Price details.</summary>
    public InvoicePricing? Pricing { get; init; }

    /// <summary>Creation date (UTC).</summary>
    public DateTimeOffset? Date { get; init; }

    /// <summary>Test or live mode.</summary>
    public bool Livemode { get; init; }

    /// <summary>Your key/value pairs.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
