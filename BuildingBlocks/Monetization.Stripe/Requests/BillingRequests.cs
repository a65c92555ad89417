using Monetization.Stripe.Internal;

namespace Monetization.Stripe;

/// <summary>POST /v1/invoices (spec <c>PostInvoices</c>).</summary>
public sealed class InvoiceCreateRequest
{
    /// <summary><c>customer</c> (<c>cus_…</c>).</summary>
    public string? Customer { get; init; }

    /// <summary><c>subscription</c> (<c>sub_…</c>) whose pending items to invoice.</summary>
    public string? Subscription { get; init; }

    /// <summary><c>collection_method</c>: <c>charge_automatically</c> or <c>send_invoice</c>.</summary>
    public string? CollectionMethod { get; init; }

    /// <summary><c>days_until_due</c> (send_invoice).</summary>
    public long? DaysUntilDue { get; init; }

    /// <summary><c>auto_advance</c>: let Stripe finalize and collect automatically.</summary>
    public bool? AutoAdvance { get; init; }

    /// <summary><c>pending_invoice_items_behavior</c>: <c>include</c> or <c>exclude</c> (Stripe's default).</summary>
    public string? PendingInvoiceItemsBehavior { get; init; }

    /// <summary><c>currency</c>.</summary>
    public string? Currency { get; init; }

    /// <summary><c>description</c>.</summary>
    public string? Description { get; init; }

    /// <summary><c>metadata</c>.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    internal void Write(FormWriter w)
    {
        w.Add("customer", Customer).Add("subscription", Subscription).Add("collection_method", CollectionMethod).Add("days_until_due", DaysUntilDue)
            .Add("auto_advance", AutoAdvance).Add("pending_invoice_items_behavior", PendingInvoiceItemsBehavior).Add("currency", Currency)
            .Add("description", Description);
        w.AddMap("metadata", Metadata);
    }
}

/// <summary>POST /v1/invoices/{id}/finalize (spec <c>PostInvoicesInvoiceFinalize</c>).</summary>
public sealed class InvoiceFinalizeRequest
{
    /// <summary><c>auto_advance</c>.</summary>
    public bool? AutoAdvance { get; init; }

    internal void Write(FormWriter w) => w.Add("auto_advance", AutoAdvance);
}

/// <summary>POST /v1/invoices/{id}/pay (spec <c>PostInvoicesInvoicePay</c>).</summary>
public sealed class InvoicePayRequest
{
    /// <summary><c>payment_method</c> (<c>pm_…</c>).</summary>
    public string? PaymentMethod { get; init; }

    /// <summary><c>paid_out_of_band</c>: mark paid without charging.</summary>
    public bool? PaidOutOfBand { get; init; }

    /// <summary><c>off_session</c>.</summary>
    public bool? OffSession { get; init; }

    internal void Write(FormWriter w) =>
        w.Add("payment_method", PaymentMethod).Add("paid_out_of_band", PaidOutOfBand).Add("off_session", OffSession);
}

/// <summary>POST /v1/invoiceitems (spec <c>PostInvoiceitems</c>).</summary>
public sealed class InvoiceItemCreateRequest
{
    /// <summary><c>customer</c> (<c>cus_…</c>), required in practice.</summary>
    public required string Customer { get; init; }

    /// <summary><c>amount</c> in minor units of <see cref="Currency"/>; negative = credit.</summary>
    public long? Amount { get; init; }

    /// <summary><c>currency</c> (lower-case ISO 4217).</summary>
    public string? Currency { get; init; }

    /// <summary><c>description</c>.</summary>
    public string? Description { get; init; }

    /// <summary><c>invoice</c>: attach to this draft invoice; otherwise the item waits for the next invoice.</summary>
    public string? Invoice { get; init; }

    /// <summary><c>subscription</c>: invoice with this subscription's next invoice.</summary>
    public string? Subscription { get; init; }

    /// <summary><c>metadata</c>.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    internal void Write(FormWriter w)
    {
        w.Add("customer", Customer).Add("amount", Amount).Add("currency", Currency).Add("description", Description).Add("invoice", Invoice)
            .Add("subscription", Subscription);
        w.AddMap("metadata", Metadata);
    }
}

/// <summary>POST /v1/refunds (spec <c>PostRefunds</c>). Give <see cref="Charge"/> or <see cref="PaymentIntent"/>.</summary>
public sealed class RefundCreateRequest
{
    /// <summary><c>charge</c> (<c>ch_…</c>).</summary>
    public string? Charge { get; init; }

    /// <summary><c>payment_intent</c> (<c>pi_…</c>).</summary>
    public string? PaymentIntent { get; init; }

    /// <summary><c>amount</c> in minor units; null = refund the rest.</summary>
    public long? Amount { get; init; }

    /// <summary><c>reason</c>: <c>duplicate</c>, <c>fraudulent</c>, <c>requested_by_customer</c>.</summary>
    public string? Reason { get; init; }

    /// <summary><c>reverse_transfer</c>: pull the funds back from the connected account (destination charges).</summary>
    public bool? ReverseTransfer { get; init; }

    /// <summary><c>refund_application_fee</c>.</summary>
    public bool? RefundApplicationFee { get; init; }

    /// <summary><c>metadata</c>.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    internal void Write(FormWriter w)
    {
        if (Charge is null && PaymentIntent is null)
        {
            throw new ArgumentException("A refund needs Charge or PaymentIntent.");
        }

        w.Add("charge", Charge).Add("payment_intent", PaymentIntent).Add("amount", Amount).Add("reason", Reason)
            .Add("reverse_transfer", ReverseTransfer).Add("refund_application_fee", RefundApplicationFee);
        w.AddMap("metadata", Metadata);
    }
}

/// <summary>GET /v1/events (spec <c>GetEvents</c>): events of the last 30 days, newest first.</summary>
public sealed record EventListRequest : StripeListRequest
{
    /// <summary><c>type</c>: one type; <c>*</c> wildcards allowed (e.g. <c>invoice.*</c>).</summary>
    public string? Type { get; init; }

    /// <summary><c>types[]</c>: up to 20 types.</summary>
    public IReadOnlyList<string>? Types { get; init; }

    /// <summary><c>delivery_success</c>: filter on webhook delivery outcome.</summary>
    public bool? DeliverySuccess { get; init; }

    /// <summary><c>created[gt|gte|lt|lte]</c>.</summary>
    public StripeDateRange? Created { get; init; }

    internal override void Write(FormWriter w)
    {
        w.Add("type", Type).AddList("types", Types).Add("delivery_success", DeliverySuccess).Add("limit", Limit);
        w.AddObject("created", Created, StripeDateRange.Write);
        w.Add("starting_after", StartingAfter).Add("ending_before", EndingBefore);
    }
}
