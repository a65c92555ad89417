using Monetization.Stripe.Internal;

namespace Monetization.Stripe;

/// <summary>
/// POST /v1/checkout/sessions (spec <c>PostCheckoutSessions</c>). Fields are sent in this order: mode, customer,
/// customer_email, client_reference_id, line_items, subscription_data, payment_intent_data, metadata, success_url,
/// cancel_url, then the optional extras.
/// </summary>
public sealed class CheckoutSessionCreateRequest
{
    /// <summary><c>mode</c>: <c>payment</c>, <c>subscription</c> (any recurring price) or <c>setup</c>.</summary>
    public required string Mode { get; init; }

    /// <summary><c>customer</c>: an existing <c>cus_…</c>. Mutually exclusive with <see cref="CustomerEmail"/>.</summary>
    public string? Customer { get; init; }

    /// <summary><c>customer_email</c>: prefills the email; a customer is created in subscription mode.</summary>
    public string? CustomerEmail { get; init; }

    /// <summary><c>client_reference_id</c>: your id (max 200 characters), echoed on the completed session.</summary>
    public string? ClientReferenceId { get; init; }

    /// <summary><c>line_items[i]</c>; required in payment and subscription mode.</summary>
    public IReadOnlyList<CheckoutLineItem>? LineItems { get; init; }

    /// <summary><c>subscription_data</c> (subscription mode).</summary>
    public CheckoutSubscriptionData? SubscriptionData { get; init; }

    /// <summary><c>payment_intent_data</c> (payment mode).</summary>
    public CheckoutPaymentIntentData? PaymentIntentData { get; init; }

    /// <summary><c>metadata</c>: on the session only (not copied to the subscription or PaymentIntent).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary><c>success_url</c>; may contain the literal <c>{CHECKOUT_SESSION_ID}</c>.</summary>
    public string? SuccessUrl { get; init; }

    /// <summary><c>cancel_url</c>.</summary>
    public string? CancelUrl { get; init; }

    /// <summary><c>allow_promotion_codes</c>.</summary>
    public bool? AllowPromotionCodes { get; init; }

    /// <summary><c>payment_method_collection</c>: <c>always</c> or <c>if_required</c> (trials without a card).</summary>
    public string? PaymentMethodCollection { get; init; }

    /// <summary><c>customer_creation</c> (payment mode): <c>always</c> or <c>if_required</c>.</summary>
    public string? CustomerCreation { get; init; }

    /// <summary><c>expires_at</c> (UTC, 30 min to 24 h ahead).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary><c>locale</c>, e.g. <c>auto</c>.</summary>
    public string? Locale { get; init; }

    internal void Write(FormWriter w)
    {
        w.Add("mode", Mode).Add("customer", Customer).Add("customer_email", CustomerEmail).Add("client_reference_id", ClientReferenceId);
        w.AddObjects("line_items", LineItems, static (x, item) => item.Write(x));
        w.AddObject("subscription_data", SubscriptionData, static (x, d) => d.Write(x));
        w.AddObject("payment_intent_data", PaymentIntentData, static (x, d) => d.Write(x));
        w.AddMap("metadata", Metadata);
        w.Add("success_url", SuccessUrl).Add("cancel_url", CancelUrl).Add("allow_promotion_codes", AllowPromotionCodes)
            .Add("payment_method_collection", PaymentMethodCollection).Add("customer_creation", CustomerCreation)
            .Add("expires_at", ExpiresAt).Add("locale", Locale);
    }
}

/// <summary>One <c>line_items[i]</c> entry: <see cref="Price"/> or <see cref="PriceData"/>, plus quantity.</summary>
public sealed class CheckoutLineItem
{
    /// <summary><c>price</c> (<c>price_…</c>).</summary>
    public string? Price { get; init; }

    /// <summary><c>price_data</c>: an inline price.</summary>
    public CheckoutPriceData? PriceData { get; init; }

    /// <summary><c>quantity</c>.</summary>
    public long? Quantity { get; init; }

    internal void Write(FormWriter w)
    {
        w.Add("price", Price);
        w.AddObject("price_data", PriceData, static (x, d) => d.Write(x));
        w.Add("quantity", Quantity);
    }
}

/// <summary><c>line_items[i][price_data]</c>: an inline price.</summary>
public sealed class CheckoutPriceData
{
    /// <summary><c>currency</c> (lower-case ISO 4217), required.</summary>
    public required string Currency { get; init; }

    /// <summary><c>product</c> (<c>prod_…</c>), or use <see cref="ProductName"/>.</summary>
    public string? Product { get; init; }

    /// <summary><c>product_data[name]</c>: an inline product name.</summary>
    public string? ProductName { get; init; }

    /// <summary><c>unit_amount</c> in minor units of <see cref="Currency"/>.</summary>
    public long? UnitAmount { get; init; }

    /// <summary><c>recurring[interval]</c>: <c>day</c>, <c>week</c>, <c>month</c>, <c>year</c>; null = one-time.</summary>
    public string? RecurringInterval { get; init; }

    /// <summary><c>recurring[interval_count]</c>.</summary>
    public long? RecurringIntervalCount { get; init; }

    internal void Write(FormWriter w)
    {
        w.Add("currency", Currency).Add("product", Product);
        w.Nested("product_data").Add("name", ProductName);
        w.Add("unit_amount", UnitAmount);
        w.Nested("recurring").Add("interval", RecurringInterval).Add("interval_count", RecurringIntervalCount);
    }
}

/// <summary><c>subscription_data</c> of a Checkout Session.</summary>
public sealed class CheckoutSubscriptionData
{
    /// <summary><c>trial_period_days</c> (≥ 1).</summary>
    public long? TrialPeriodDays { get; init; }

    /// <summary><c>trial_end</c> (UTC); alternative to <see cref="TrialPeriodDays"/>.</summary>
    public DateTimeOffset? TrialEnd { get; init; }

    /// <summary><c>description</c>.</summary>
    public string? Description { get; init; }

    /// <summary><c>metadata</c>: copied to the subscription.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    internal void Write(FormWriter w)
    {
        w.Add("trial_period_days", TrialPeriodDays).Add("trial_end", TrialEnd).Add("description", Description);
        w.AddMap("metadata", Metadata);
    }
}

/// <summary><c>payment_intent_data</c> of a Checkout Session (payment mode).</summary>
public sealed class CheckoutPaymentIntentData
{
    /// <summary><c>application_fee_amount</c> in minor units (Connect destination charges).</summary>
    public long? ApplicationFeeAmount { get; init; }

    /// <summary><c>transfer_data[destination]</c> (<c>acct_…</c>): a destination charge.</summary>
    public string? TransferDestination { get; init; }

    /// <summary><c>transfer_data[amount]</c> in minor units.</summary>
    public long? TransferAmount { get; init; }

    /// <summary><c>transfer_group</c>.</summary>
    public string? TransferGroup { get; init; }

    /// <summary><c>description</c>.</summary>
    public string? Description { get; init; }

    /// <summary><c>metadata</c>: copied to the PaymentIntent.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    internal void Write(FormWriter w)
    {
        w.Add("application_fee_amount", ApplicationFeeAmount);
        w.Nested("transfer_data").Add("destination", TransferDestination).Add("amount", TransferAmount);
        w.Add("transfer_group", TransferGroup).Add("description", Description);
        w.AddMap("metadata", Metadata);
    }
}
