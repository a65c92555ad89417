using Monetization.Stripe.Internal;

namespace Monetization.Stripe;

/// <summary>GET /v1/subscriptions (spec <c>GetSubscriptions</c>).</summary>
public sealed record SubscriptionListRequest : StripeListRequest
{
    /// <summary><c>customer</c> filter (<c>cus_…</c>).</summary>
    public string? Customer { get; init; }

    /// <summary><c>status</c> filter: a subscription status, <c>all</c> (includes canceled) or <c>ended</c>. Stripe's default excludes canceled.</summary>
    public string? Status { get; init; }

    /// <summary><c>price</c> filter (<c>price_…</c>).</summary>
    public string? Price { get; init; }

    internal override void Write(FormWriter w)
    {
        w.Add("customer", Customer).Add("status", Status).Add("price", Price);
        w.Add("limit", Limit).Add("starting_after", StartingAfter).Add("ending_before", EndingBefore);
    }
}

/// <summary>
/// POST /v1/subscriptions/{id} (spec <c>PostSubscriptionsSubscriptionExposedId</c>). Sent in this order: items,
/// proration_behavior, proration_date, payment_behavior, cancel_at_period_end, trial_end, default_payment_method, metadata, description.
/// </summary>
public sealed class SubscriptionUpdateRequest
{
    /// <summary><c>items[i]</c>: plan changes (<c>id</c> + new <c>price</c>), add-ons (no <c>id</c>), removals (<c>deleted</c>). At most 20.</summary>
    public IReadOnlyList<SubscriptionItemChange>? Items { get; init; }

    /// <summary><c>proration_behavior</c>: <c>create_prorations</c> (Stripe's default), <c>always_invoice</c>, <c>none</c>.</summary>
    public string? ProrationBehavior { get; init; }

    /// <summary><c>proration_date</c> (UTC).</summary>
    public DateTimeOffset? ProrationDate { get; init; }

    /// <summary><c>payment_behavior</c>: <c>allow_incomplete</c>, <c>default_incomplete</c>, <c>error_if_incomplete</c>, <c>pending_if_incomplete</c>.</summary>
    public string? PaymentBehavior { get; init; }

    /// <summary><c>cancel_at_period_end</c>: true ends at the period end; false undoes it.</summary>
    public bool? CancelAtPeriodEnd { get; init; }

    /// <summary><c>trial_end</c> as a timestamp (UTC). Exclusive with <see cref="EndTrialNow"/>.</summary>
    public DateTimeOffset? TrialEnd { get; init; }

    /// <summary>Sends <c>trial_end=now</c>: ends the trial immediately.</summary>
    public bool EndTrialNow { get; init; }

    /// <summary><c>default_payment_method</c> (<c>pm_…</c>).</summary>
    public string? DefaultPaymentMethod { get; init; }

    /// <summary><c>metadata</c>; a value of <c>""</c> removes that key.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary><c>description</c>; <c>""</c> unsets it.</summary>
    public string? Description { get; init; }

    internal void Write(FormWriter w)
    {
        if (EndTrialNow && TrialEnd is not null)
        {
            throw new ArgumentException("Set either TrialEnd or EndTrialNow, not both.");
        }

        w.AddObjects("items", Items, static (x, item) => item.Write(x));
        w.Add("proration_behavior", ProrationBehavior).Add("proration_date", ProrationDate).Add("payment_behavior", PaymentBehavior)
            .Add("cancel_at_period_end", CancelAtPeriodEnd);
        if (EndTrialNow)
        {
            w.Add("trial_end", "now");
        }
        else
        {
            w.Add("trial_end", TrialEnd);
        }

        w.Add("default_payment_method", DefaultPaymentMethod);
        w.AddMap("metadata", Metadata);
        w.Add("description", Description);
    }
}

/// <summary>One <c>items[i]</c> entry of a subscription update.</summary>
public sealed class SubscriptionItemChange
{
    /// <summary><c>id</c> of an existing item (<c>si_…</c>); null adds a new item.</summary>
    public string? Id { get; init; }

    /// <summary><c>price</c> (<c>price_…</c>): the new price for a plan change, or the add-on's price.</summary>
    public string? Price { get; init; }

    /// <summary><c>quantity</c>.</summary>
    public long? Quantity { get; init; }

    /// <summary><c>deleted=true</c> removes the item.</summary>
    public bool? Deleted { get; init; }

    /// <summary><c>clear_usage</c> (with <see cref="Deleted"/> on metered items).</summary>
    public bool? ClearUsage { get; init; }

    /// <summary><c>metadata</c>.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    internal void Write(FormWriter w)
    {
        w.Add("id", Id).Add("price", Price).Add("quantity", Quantity).Add("deleted", Deleted).Add("clear_usage", ClearUsage);
        w.AddMap("metadata", Metadata);
    }
}

/// <summary>DELETE /v1/subscriptions/{id}: cancels immediately (spec <c>DeleteSubscriptionsSubscriptionExposedId</c>); parameters go in the query.</summary>
public sealed class SubscriptionCancelRequest
{
    /// <summary><c>invoice_now</c>: invoice pending usage and prorations now.</summary>
    public bool? InvoiceNow { get; init; }

    /// <summary><c>prorate</c>: credit the unused time.</summary>
    public bool? Prorate { get; init; }

    /// <summary><c>cancellation_details[comment]</c>.</summary>
    public string? CancellationComment { get; init; }

    /// <summary><c>cancellation_details[feedback]</c>, e.g. <c>too_expensive</c>.</summary>
    public string? CancellationFeedback { get; init; }

    internal void Write(FormWriter w)
    {
        w.Add("invoice_now", InvoiceNow).Add("prorate", Prorate);
        w.Nested("cancellation_details").Add("comment", CancellationComment).Add("feedback", CancellationFeedback);
    }
}

/// <summary>POST /v1/subscription_items (spec <c>PostSubscriptionItems</c>): add a price (e.g. an add-on) to a subscription.</summary>
public sealed class SubscriptionItemCreateRequest
{
    /// <summary><c>subscription</c> (<c>sub_…</c>), required.</summary>
    public required string Subscription { get; init; }

    /// <summary><c>price</c> (<c>price_…</c>).</summary>
    public string? Price { get; init; }

    /// <summary><c>quantity</c>.</summary>
    public long? Quantity { get; init; }

    /// <summary><c>proration_behavior</c>: <c>create_prorations</c>, <c>always_invoice</c>, <c>none</c>.</summary>
    public string? ProrationBehavior { get; init; }

    /// <summary><c>payment_behavior</c>.</summary>
    public string? PaymentBehavior { get; init; }

    /// <summary><c>metadata</c>.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    internal void Write(FormWriter w)
    {
        w.Add("subscription", Subscription).Add("price", Price).Add("quantity", Quantity).Add("proration_behavior", ProrationBehavior)
            .Add("payment_behavior", PaymentBehavior);
        w.AddMap("metadata", Metadata);
    }
}

/// <summary>DELETE /v1/subscription_items/{item} (spec <c>DeleteSubscriptionItemsItem</c>); parameters go in the query.</summary>
public sealed class SubscriptionItemDeleteRequest
{
    /// <summary><c>proration_behavior</c>.</summary>
    public string? ProrationBehavior { get; init; }

    /// <summary><c>clear_usage</c> (metered items).</summary>
    public bool? ClearUsage { get; init; }

    internal void Write(FormWriter w) => w.Add("proration_behavior", ProrationBehavior).Add("clear_usage", ClearUsage);
}
