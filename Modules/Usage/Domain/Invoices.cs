namespace Monetization.Usage.Domain;

/// <summary>Statuses of a usage invoice.</summary>
internal static class UsageInvoiceStatus
{
    /// <summary>Stripe steps (invoice, items, finalize, pay) still to do or to retry.</summary>
    public const string Pending = "pending";

    /// <summary>Amount due above zero but no Stripe customer known yet; billed once one is linked.</summary>
    public const string AwaitingCustomer = "awaiting_customer";

    /// <summary>Stripe declined the payment; retried by the job.</summary>
    public const string PaymentFailed = "payment_failed";

    /// <summary>Fully paid (by credits, by Stripe, or both).</summary>
    public const string Paid = "paid";

    /// <summary>
    /// Voided before it was paid (issue 20; the admin route or Stripe's <c>invoice.voided</c>): never payable, its credits
    /// given back, its plugin charges dropped. Final.
    /// </summary>
    public const string Void = "void";
}

/// <summary>
/// Keys of the metadata every Stripe invoice of a usage invoice carries (set when the job creates it). Consumers of
/// Subscriptions' invoice events decline an invoice without <see cref="UsageInvoiceId"/> before any query: the plan's
/// renewals, the bulk of <c>invoice.paid</c>, cost Usage nothing.
/// </summary>
internal static class UsageInvoiceMetadata
{
    /// <summary><c>metadata[usage_invoice_id]</c>: the usage invoice's id (<c>uin_…</c>).</summary>
    public const string UsageInvoiceId = "usage_invoice_id";

    /// <summary>Whether a Stripe invoice's metadata says it is one of ours.</summary>
    public static bool IsUsageInvoice(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null && metadata.ContainsKey(UsageInvoiceId);
}

/// <summary>A user's usage invoice for a closed period (one per user and period), numbered <c>INV-YYYYMM-NNNN</c>.</summary>
internal sealed class UsageInvoice
{
    /// <summary>Id (<c>uin_…</c>).</summary>
    public string Id { get; set; } = "";

    /// <summary><c>INV-YYYYMM-NNNN</c>, unique, sequential per period.</summary>
    public string Number { get; set; } = "";

    /// <summary>User.</summary>
    public string UserId { get; set; } = "";

    /// <summary>Period <c>YYYY-MM</c>.</summary>
    public string Period { get; set; } = "";

    /// <summary>ISO 4217, lowercase.</summary>
    public string Currency { get; set; } = "";

    /// <summary>Sum of the line amounts, minor units.</summary>
    public long Subtotal { get; set; }

    /// <summary>Credits spent on it, minor units.</summary>
    public long CreditsApplied { get; set; }

    /// <summary><see cref="Subtotal"/> − <see cref="CreditsApplied"/>: billed through Stripe.</summary>
    public long AmountDue { get; set; }

    /// <summary>See <see cref="UsageInvoiceStatus"/>.</summary>
    public string Status { get; set; } = UsageInvoiceStatus.Pending;

    /// <summary>Stripe invoice (<c>in_…</c>) once created.</summary>
    public string? StripeInvoiceId { get; set; }

    /// <summary>Stripe invoice item of the credits line, once created.</summary>
    public string? StripeCreditItemId { get; set; }

    /// <summary>Stripe's invoice status as last seen (<c>draft</c>, <c>open</c>, <c>paid</c>).</summary>
    public string? StripeStatus { get; set; }

    /// <summary>Payment attempts made through Stripe.</summary>
    public int PaymentAttempts { get; set; }

    /// <summary>Last Stripe failure, if any.</summary>
    public string? LastError { get; set; }

    /// <summary>Lease of the instance running its Stripe steps, UTC.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>When created, UTC.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last change, UTC.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When fully paid, UTC.</summary>
    public DateTimeOffset? PaidAt { get; set; }

    /// <summary>Its lines.</summary>
    public List<UsageInvoiceLine> Lines { get; set; } = [];
}

/// <summary>
/// A line of a usage invoice: tokens of one model (and plugin), rounded once, at the plugin's own price for a usage-priced
/// plugin, else at the model's prices (<see cref="PriceSource"/> says which, issue 20).
/// </summary>
internal sealed class UsageInvoiceLine
{
    /// <summary>Id (<c>uil_…</c>); the revenue source id of <c>UsageCharged</c>.</summary>
    public string Id { get; set; } = "";

    /// <summary>The invoice.</summary>
    public string InvoiceId { get; set; } = "";

    /// <summary>1-based position.</summary>
    public int LineNumber { get; set; }

    /// <summary>Meter key.</summary>
    public string Meter { get; set; } = "";

    /// <summary>Model priced.</summary>
    public string? Model { get; set; }

    /// <summary>Usage-priced plugin (<c>properties.plugin_id</c>), if any.</summary>
    public string? PluginId { get; set; }

    /// <summary>Input tokens.</summary>
    public long InputTokens { get; set; }

    /// <summary>Output tokens.</summary>
    public long OutputTokens { get; set; }

    /// <summary>Input + output tokens.</summary>
    public long Quantity { get; set; }

    /// <summary>Which price applied: <c>model</c>, <c>plugin</c> or <c>plugin_tokens</c> (<see cref="PriceSources"/>).</summary>
    public string PriceSource { get; set; } = PriceSources.Model;

    /// <summary>The price applied to input tokens: minor units per 1,000 tokens, decimal string.</summary>
    public string InputUnitAmountDecimal { get; set; } = "0";

    /// <summary>The price applied to output tokens: minor units per 1,000 tokens, decimal string.</summary>
    public string OutputUnitAmountDecimal { get; set; } = "0";

    /// <summary>Line amount, minor units (rounded once).</summary>
    public long Amount { get; set; }

    /// <summary>ISO 4217, lowercase.</summary>
    public string Currency { get; set; } = "";

    /// <summary>Human description (shown on the Stripe invoice).</summary>
    public string Description { get; set; } = "";

    /// <summary>Stripe invoice item (<c>ii_…</c>) once created.</summary>
    public string? StripeInvoiceItemId { get; set; }
}

/// <summary>A run of the usage invoicing of a period: once started, the period takes no more events.</summary>
internal sealed class UsageInvoiceRun
{
    /// <summary>Period <c>YYYY-MM</c>.</summary>
    public string Period { get; set; } = "";

    /// <summary>When first started, UTC.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>When the invoices were all created, UTC.</summary>
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>Invoices created by the run.</summary>
    public int InvoicesCreated { get; set; }
}
