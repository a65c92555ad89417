using Monetization.Stripe.Internal;

namespace Monetization.Stripe;

/// <summary>POST /v1/prices (spec <c>PostPrices</c>).</summary>
public sealed class PriceCreateRequest
{
    /// <summary><c>currency</c> (lower-case ISO 4217), required.</summary>
    public required string Currency { get; init; }

    /// <summary><c>unit_amount</c> in minor units of <see cref="Currency"/>.</summary>
    public long? UnitAmount { get; init; }

    /// <summary><c>product</c> (<c>prod_…</c>), or use <see cref="ProductName"/>.</summary>
    public string? Product { get; init; }

    /// <summary><c>product_data[name]</c>: creates the product inline.</summary>
    public string? ProductName { get; init; }

    /// <summary><c>recurring[interval]</c>: <c>day</c>, <c>week</c>, <c>month</c>, <c>year</c>; null = one-time price.</summary>
    public string? RecurringInterval { get; init; }

    /// <summary><c>recurring[interval_count]</c>.</summary>
    public long? RecurringIntervalCount { get; init; }

    /// <summary><c>nickname</c>.</summary>
    public string? Nickname { get; init; }

    /// <summary><c>lookup_key</c>.</summary>
    public string? LookupKey { get; init; }

    /// <summary><c>active</c>.</summary>
    public bool? Active { get; init; }

    /// <summary><c>tax_behavior</c>: <c>exclusive</c>, <c>inclusive</c>, <c>unspecified</c>.</summary>
    public string? TaxBehavior { get; init; }

    /// <summary>
    /// <c>unit_amount_decimal</c>: the unit price in minor units as a decimal string with up to 12 decimals, for prices finer
    /// than a minor unit (per-token prices); use instead of <see cref="UnitAmount"/>.
    /// </summary>
    public string? UnitAmountDecimal { get; init; }

    /// <summary><c>transform_quantity[divide_by]</c>: bill per package of this many units (e.g. 1,000 tokens).</summary>
    public long? TransformQuantityDivideBy { get; init; }

    /// <summary><c>transform_quantity[round]</c>: <c>up</c> or <c>down</c>, how a partial package is billed.</summary>
    public string? TransformQuantityRound { get; init; }

    /// <summary><c>metadata</c>.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    internal void Write(FormWriter w)
    {
        w.Add("currency", Currency).Add("unit_amount", UnitAmount).Add("unit_amount_decimal", UnitAmountDecimal).Add("product", Product);
        w.Nested("transform_quantity").Add("divide_by", TransformQuantityDivideBy).Add("round", TransformQuantityRound);
        w.Nested("product_data").Add("name", ProductName);
        w.Nested("recurring").Add("interval", RecurringInterval).Add("interval_count", RecurringIntervalCount);
        w.Add("nickname", Nickname).Add("lookup_key", LookupKey).Add("active", Active).Add("tax_behavior", TaxBehavior);
        w.AddMap("metadata", Metadata);
    }
}

/// <summary>GET /v1/prices (spec <c>GetPrices</c>).</summary>
public sealed record PriceListRequest : StripeListRequest
{
    /// <summary><c>active</c> filter.</summary>
    public bool? Active { get; init; }

    /// <summary><c>product</c> filter (<c>prod_…</c>).</summary>
    public string? Product { get; init; }

    /// <summary><c>type</c> filter: <c>one_time</c> or <c>recurring</c>.</summary>
    public string? Type { get; init; }

    /// <summary><c>currency</c> filter.</summary>
    public string? Currency { get; init; }

    /// <summary><c>lookup_keys[]</c> filter.</summary>
    public IReadOnlyList<string>? LookupKeys { get; init; }

    internal override void Write(FormWriter w)
    {
        w.Add("active", Active).Add("product", Product).Add("type", Type).Add("currency", Currency).AddList("lookup_keys", LookupKeys);
        w.Add("limit", Limit).Add("starting_after", StartingAfter).Add("ending_before", EndingBefore);
    }
}

/// <summary>POST /v1/products (spec <c>PostProducts</c>).</summary>
public sealed class ProductCreateRequest
{
    /// <summary><c>name</c>, required.</summary>
    public required string Name { get; init; }

    /// <summary><c>id</c>: your own product id (optional).</summary>
    public string? Id { get; init; }

    /// <summary><c>description</c>.</summary>
    public string? Description { get; init; }

    /// <summary><c>active</c>.</summary>
    public bool? Active { get; init; }

    /// <summary><c>metadata</c>.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    internal void Write(FormWriter w)
    {
        w.Add("name", Name).Add("id", Id).Add("description", Description).Add("active", Active);
        w.AddMap("metadata", Metadata);
    }
}

/// <summary>GET /v1/products (spec <c>GetProducts</c>).</summary>
public sealed record ProductListRequest : StripeListRequest
{
    /// <summary><c>active</c> filter.</summary>
    public bool? Active { get; init; }

    /// <summary><c>ids[]</c> filter.</summary>
    public IReadOnlyList<string>? Ids { get; init; }

    internal override void Write(FormWriter w)
    {
        w.Add("active", Active).AddList("ids", Ids);
        w.Add("limit", Limit).Add("starting_after", StartingAfter).Add("ending_before", EndingBefore);
    }
}

/// <summary>POST /v1/billing/meter_events: report usage for a meter.</summary>
public sealed class MeterEventCreateRequest
{
    /// <summary><c>event_name</c>: the meter's event name, required.</summary>
    public required string EventName { get; init; }

    /// <summary><c>payload</c>: must contain the meter's customer key (default <c>stripe_customer_id</c>) and value key (default <c>value</c>).</summary>
    public required IReadOnlyDictionary<string, string> Payload { get; init; }

    /// <summary><c>identifier</c>: dedup key, unique for at least 24 h.</summary>
    public string? Identifier { get; init; }

    /// <summary><c>timestamp</c> (UTC): within the past 35 days or up to 5 min ahead.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    internal void Write(FormWriter w)
    {
        w.Add("event_name", EventName);
        w.AddMap("payload", Payload);
        w.Add("identifier", Identifier).Add("timestamp", Timestamp);
    }
}
