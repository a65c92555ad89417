using Monetization.Stripe.Internal;

namespace Monetization.Stripe;

/// <summary>
/// Fields of POST /v1/customers and POST /v1/customers/{id}. Null = not sent; an empty string unsets a field
/// (<c>description=</c>); a metadata value of <c>""</c> removes that key.
/// </summary>
public abstract class CustomerRequestBase
{
    /// <summary><c>email</c>.</summary>
    public string? Email { get; init; }

    /// <summary><c>name</c>.</summary>
    public string? Name { get; init; }

    /// <summary><c>description</c>.</summary>
    public string? Description { get; init; }

    /// <summary><c>phone</c>.</summary>
    public string? Phone { get; init; }

    /// <summary><c>payment_method</c> (<c>pm_…</c>) to attach.</summary>
    public string? PaymentMethod { get; init; }

    /// <summary><c>invoice_settings[default_payment_method]</c> (<c>pm_…</c>).</summary>
    public string? DefaultPaymentMethod { get; init; }

    /// <summary><c>metadata[key]=value</c>, sent in enumeration order.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    internal void Write(FormWriter w)
    {
        w.Add("email", Email).Add("name", Name).Add("description", Description).Add("phone", Phone)
            .Add("payment_method", PaymentMethod);
        w.Nested("invoice_settings").Add("default_payment_method", DefaultPaymentMethod);
        w.AddMap("metadata", Metadata);
    }
}

/// <summary>POST /v1/customers (spec <c>PostCustomers</c>). No field is required.</summary>
public sealed class CustomerCreateRequest : CustomerRequestBase;

/// <summary>POST /v1/customers/{customer} (spec <c>PostCustomersCustomer</c>).</summary>
public sealed class CustomerUpdateRequest : CustomerRequestBase;

/// <summary>POST /v1/billing_portal/sessions (spec <c>PostBillingPortalSessions</c>).</summary>
public sealed class BillingPortalSessionCreateRequest
{
    /// <summary><c>customer</c> (<c>cus_…</c>), required in practice.</summary>
    public required string Customer { get; init; }

    /// <summary><c>return_url</c>: where the portal's "return" link leads.</summary>
    public string? ReturnUrl { get; init; }

    /// <summary><c>configuration</c> (<c>bpc_…</c>); the default configuration when null.</summary>
    public string? Configuration { get; init; }

    /// <summary><c>locale</c>, e.g. <c>auto</c>, <c>en</c>.</summary>
    public string? Locale { get; init; }

    internal void Write(FormWriter w) =>
        w.Add("customer", Customer).Add("return_url", ReturnUrl).Add("configuration", Configuration).Add("locale", Locale);
}
