namespace Monetization.Stripe;

/// <summary>A Charge (<c>ch_…</c>). Delivered by <c>charge.refunded</c> with <see cref="Refunds"/>. (<c>charge.invoice</c> no longer exists since basil.)</summary>
public sealed class Charge : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Always <c>charge</c>.</summary>
    public string Object { get; init; } = "charge";

    /// <summary>Amount charged, in minor units of <see cref="Currency"/>.</summary>
    public long Amount { get; init; }

    /// <summary>Amount captured, in minor units.</summary>
    public long AmountCaptured { get; init; }

    /// <summary>Amount refunded so far, in minor units.</summary>
    public long AmountRefunded { get; init; }

    /// <summary>Lower-case ISO 4217 currency.</summary>
    public string Currency { get; init; } = "";

    /// <summary>True when fully refunded.</summary>
    public bool Refunded { get; init; }

    /// <summary>True when the charge succeeded or was authorized.</summary>
    public bool Paid { get; init; }

    /// <summary>Known values: <c>succeeded</c>, <c>pending</c>, <c>failed</c>.</summary>
    public string? Status { get; init; }

    /// <summary>The refunds (first page).</summary>
    public StripeList<Refund>? Refunds { get; init; }

    /// <summary>The PaymentIntent (<c>pi_…</c>).</summary>
    public ExpandableField<PaymentIntent>? PaymentIntent { get; init; }

    /// <summary>The invoice, if the API version still returns it (removed in basil).</summary>
    public ExpandableField<Invoice>? Invoice { get; init; }

    /// <summary>The customer (<c>cus_…</c>), if any.</summary>
    public ExpandableField<Customer>? Customer { get; init; }

    /// <summary>Application fee in minor units (Connect).</summary>
    public long? ApplicationFeeAmount { get; init; }

    /// <summary>Destination-charge settings (Connect).</summary>
    public StripeTransferData? TransferData { get; init; }

    /// <summary>Transfer group.</summary>
    public string? TransferGroup { get; init; }

    /// <summary>Failure code, if failed.</summary>
    public string? FailureCode { get; init; }

    /// <summary>Failure message, if failed.</summary>
    public string? FailureMessage { get; init; }

    /// <summary>Receipt email.</summary>
    public string? ReceiptEmail { get; init; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Test or live mode.</summary>
    public bool Livemode { get; init; }

    /// <summary>Your key/value pairs.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary><c>transfer_data</c> of a charge, PaymentIntent or subscription (Connect destination).</summary>
public sealed class StripeTransferData
{
    /// <summary>Amount transferred, in minor units; null = the whole amount minus the application fee.</summary>
    public long? Amount { get; init; }

    /// <summary>Subscriptions: percentage of each invoice transferred.</summary>
    public decimal? AmountPercent { get; init; }

    /// <summary>The connected account (<c>acct_…</c>).</summary>
    public ExpandableField<Account>? Destination { get; init; }
}

/// <summary>A Refund (<c>re_…</c>).</summary>
public sealed class Refund : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Always <c>refund</c>.</summary>
    public string Object { get; init; } = "refund";

    /// <summary>Amount refunded, in minor units of <see cref="Currency"/>.</summary>
    public long Amount { get; init; }

    /// <summary>Lower-case ISO 4217 currency.</summary>
    public string Currency { get; init; } = "";

    /// <summary>The charge (<c>ch_…</c>).</summary>
    public ExpandableField<Charge>? Charge { get; init; }

    /// <summary>The PaymentIntent (<c>pi_…</c>).</summary>
    public ExpandableField<PaymentIntent>? PaymentIntent { get; init; }

    /// <summary>Known values: <c>duplicate</c>, <c>fraudulent</c>, <c>requested_by_customer</c>, <c>expired_uncaptured_charge</c>.</summary>
    public string? Reason { get; init; }

    /// <summary>Known values: <c>pending</c>, <c>requires_action</c>, <c>succeeded</c>, <c>failed</c>, <c>canceled</c>.</summary>
    public string? Status { get; init; }

    /// <summary>The transfer reversal made with <c>reverse_transfer=true</c> (<c>trr_…</c>).</summary>
    public ExpandableField<TransferReversal>? TransferReversal { get; init; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Your key/value pairs.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>A PaymentIntent (<c>pi_…</c>). (<c>payment_intent.invoice</c> no longer exists since basil.)</summary>
public sealed class PaymentIntent : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Always <c>payment_intent</c>.</summary>
    public string Object { get; init; } = "payment_intent";

    /// <summary>Amount to collect, in minor units of <see cref="Currency"/>.</summary>
    public long Amount { get; init; }

    /// <summary>Amount received, in minor units.</summary>
    public long AmountReceived { get; init; }

    /// <summary>Lower-case ISO 4217 currency.</summary>
    public string Currency { get; init; } = "";

    /// <summary>Known values: <c>requires_payment_method</c>, <c>requires_confirmation</c>, <c>requires_action</c>, <c>processing</c>, <c>requires_capture</c>, <c>canceled</c>, <c>succeeded</c>.</summary>
    public string Status { get; init; } = "";

    /// <summary>The customer (<c>cus_…</c>), if any.</summary>
    public ExpandableField<Customer>? Customer { get; init; }

    /// <summary>The latest charge (<c>ch_…</c>).</summary>
    public ExpandableField<Charge>? LatestCharge { get; init; }

    /// <summary>Application fee in minor units (Connect).</summary>
    public long? ApplicationFeeAmount { get; init; }

    /// <summary>Destination-charge settings (Connect).</summary>
    public StripeTransferData? TransferData { get; init; }

    /// <summary>Transfer group.</summary>
    public string? TransferGroup { get; init; }

    /// <summary>Description.</summary>
    public string? Description { get; init; }

    /// <summary>Receipt email.</summary>
    public string? ReceiptEmail { get; init; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Test or live mode.</summary>
    public bool Livemode { get; init; }

    /// <summary>Your key/value pairs (set via <c>payment_intent_data[metadata]</c> in Checkout).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
