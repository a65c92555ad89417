namespace Monetization.Stripe;

/// <summary>A Price (<c>price_…</c>): amount and billing interval of a Product.</summary>
public sealed class Price : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Always <c>price</c>.</summary>
    public string Object { get; init; } = "price";

    /// <summary>Whether the price can be used for new purchases.</summary>
    public bool Active { get; init; }

    /// <summary>Lower-case ISO 4217 currency of <see cref="UnitAmount"/>.</summary>
    public string Currency { get; init; } = "";

    /// <summary>Amount per unit in minor units of <see cref="Currency"/> (e.g. 2000 = $20.00); null for tiered/custom prices.</summary>
    public long? UnitAmount { get; init; }

    /// <summary>Decimal unit amount in minor units, as a string.</summary>
    public string? UnitAmountDecimal { get; init; }

    /// <summary>The product (<c>prod_…</c>), an object when expanded.</summary>
    public ExpandableField<Product>? Product { get; init; }

    /// <summary>Recurring settings; null for one-time prices.</summary>
    public PriceRecurring? Recurring { get; init; }

    /// <summary>Known values: <c>one_time</c>, <c>recurring</c>.</summary>
    public string? Type { get; init; }

    /// <summary>Known values: <c>per_unit</c>, <c>tiered</c>.</summary>
    public string? BillingScheme { get; init; }

    /// <summary>Lookup key for retrieving prices dynamically.</summary>
    public string? LookupKey { get; init; }

    /// <summary>Internal description.</summary>
    public string? Nickname { get; init; }

    /// <summary>Known values: <c>exclusive</c>, <c>inclusive</c>, <c>unspecified</c>.</summary>
    public string? TaxBehavior { get; init; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Test or live mode.</summary>
    public bool Livemode { get; init; }

    /// <summary>Your key/value pairs.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>A price's <c>recurring</c> settings.</summary>
public sealed class PriceRecurring
{
    /// <summary>Known values: <c>day</c>, <c>week</c>, <c>month</c>, <c>year</c>.</summary>
    public string Interval { get; init; } = "";

    /// <summary>Number of intervals between bills (e.g. 3 with <c>month</c> = quarterly).</summary>
    public long IntervalCount { get; init; } = 1;

    /// <summary>Known values: <c>licensed</c>, <c>metered</c>.</summary>
    public string? UsageType { get; init; }

    /// <summary>Meter id (<c>mtr_…</c>) for metered prices.</summary>
    public string? Meter { get; init; }
}

/// <summary>A legacy Plan (<c>plan</c>), still embedded in subscription items next to <c>price</c>.</summary>
public sealed class Plan : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Always <c>plan</c>.</summary>
    public string Object { get; init; } = "plan";

    /// <summary>Whether the plan is active.</summary>
    public bool Active { get; init; }

    /// <summary>Amount per interval in minor units of <see cref="Currency"/>.</summary>
    public long? Amount { get; init; }

    /// <summary>Lower-case ISO 4217 currency.</summary>
    public string Currency { get; init; } = "";

    /// <summary>Known values: <c>day</c>, <c>week</c>, <c>month</c>, <c>year</c>.</summary>
    public string Interval { get; init; } = "";

    /// <summary>Number of intervals between bills.</summary>
    public long IntervalCount { get; init; } = 1;

    /// <summary>The product (<c>prod_…</c>).</summary>
    public ExpandableField<Product>? Product { get; init; }

    /// <summary>Your key/value pairs.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>A Product (<c>prod_…</c>): what is sold; prices hang off it.</summary>
public sealed class Product : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Always <c>product</c>.</summary>
    public string Object { get; init; } = "product";

    /// <summary>Whether the product is available for purchase.</summary>
    public bool Active { get; init; }

    /// <summary>Name shown to customers.</summary>
    public string Name { get; init; } = "";

    /// <summary>Description shown to customers.</summary>
    public string? Description { get; init; }

    /// <summary>Default price (<c>price_…</c>), an object when expanded.</summary>
    public ExpandableField<Price>? DefaultPrice { get; init; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Last update time (UTC).</summary>
    public DateTimeOffset? Updated { get; init; }

    /// <summary>Test or live mode.</summary>
    public bool Livemode { get; init; }

    /// <summary>Your key/value pairs.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>A billing meter event (<c>billing.meter_event</c>): usage reported for a customer.</summary>
public sealed class BillingMeterEvent
{
    /// <summary>Always <c>billing.meter_event</c>.</summary>
    public string Object { get; init; } = "billing.meter_event";

    /// <summary>The meter's event name.</summary>
    public string EventName { get; init; } = "";

    /// <summary>Deduplication key (unique for at least 24 h).</summary>
    public string? Identifier { get; init; }

    /// <summary>The payload, e.g. <c>stripe_customer_id</c> and <c>value</c>.</summary>
    public IReadOnlyDictionary<string, string> Payload { get; init; } = new Dictionary<string, string>();

    /// <summary>Time of the usage (UTC).</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Test or live mode.</summary>
    public bool Livemode { get; init; }
}
