namespace Monetization.Stripe;

/// <summary>A Stripe Customer (<c>cus_…</c>, object <c>customer</c>). A deleted customer comes back with only <c>id</c> and <c>deleted=true</c>: check <see cref="Deleted"/> first.</summary>
public sealed class Customer : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Always <c>customer</c>.</summary>
    public string Object { get; init; } = "customer";

    /// <summary>True when the customer was deleted (spec <c>deleted_customer</c>); the other fields are then empty.</summary>
    public bool Deleted { get; init; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Email address.</summary>
    public string? Email { get; init; }

    /// <summary>Full name or business name.</summary>
    public string? Name { get; init; }

    /// <summary>Free-text description.</summary>
    public string? Description { get; init; }

    /// <summary>Phone number.</summary>
    public string? Phone { get; init; }

    /// <summary>Default currency (lower-case ISO 4217), null until the first charge or subscription.</summary>
    public string? Currency { get; init; }

    /// <summary>Balance in minor units of <see cref="Currency"/>; negative = credit.</summary>
    public long? Balance { get; init; }

    /// <summary>Whether the customer has a past-due invoice.</summary>
    public bool? Delinquent { get; init; }

    /// <summary>Invoice settings (default payment method).</summary>
    public CustomerInvoiceSettings? InvoiceSettings { get; init; }

    /// <summary>Test or live mode.</summary>
    public bool Livemode { get; init; }

    /// <summary>Your key/value pairs.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>A customer's <c>invoice_settings</c>.</summary>
public sealed class CustomerInvoiceSettings
{
    /// <summary>Default payment method (<c>pm_…</c>) for invoices and subscriptions.</summary>
    public string? DefaultPaymentMethod { get; init; }
}

/// <summary>The answer of a DELETE that removes an object: <c>{"id","object","deleted":true}</c>.</summary>
public sealed class DeletedObject : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>The deleted object's type, e.g. <c>subscription_item</c>.</summary>
    public string Object { get; init; } = "";

    /// <summary>True when the object was deleted.</summary>
    public bool Deleted { get; init; }
}
