using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Http;
using Monetization.StripeEmulator.Shapes;
using Monetization.StripeEmulator.State;

namespace Monetization.StripeEmulator.Billing;

/// <summary>A requested change to one subscription item (<c>items[n]</c> of an update, or the subscription item endpoints).</summary>
internal sealed record ItemChange(string? Id, JsonObject? Price, long? Quantity, bool Deleted, JsonObject? Metadata);

/// <summary>Subscription state transitions: creation, item changes with prorations, trials, renewals, cancellation.</summary>
internal sealed class SubscriptionService
{
    private const string Updated = "customer.subscription.updated";
    private readonly Engine _engine;

    public SubscriptionService(Engine engine) => _engine = engine;

    public static long AddInterval(long start, string interval, long count)
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(start);
        var next = interval switch
        {
            "day" => at.AddDays(count),
            "week" => at.AddDays(7 * count),
            "year" => at.AddYears((int)count),
            _ => at.AddMonths((int)count),
        };
        return next.ToUnixTimeSeconds();
    }

    /// <summary>The end of the billing period that starts at <paramref name="start"/>, keeping the anchor's day of month.</summary>
    public static long NextPeriodEnd(long anchor, long start, JsonObject price)
    {
        var recurring = price["recurring"];
        var interval = recurring.Str("interval") ?? "month";
        var count = Math.Max(1, recurring.Long("interval_count"));
        for (long k = 1; k < 100000; k++)
        {
            var end = AddInterval(anchor, interval, count * k);
            if (end > start)
            {
                return end;
            }
        }

        return AddInterval(start, interval, count);
    }

    public List<JsonObject> Items(JsonObject subscription) =>
        subscription.Obj("items").Arr("data").Select(i => _engine.Store.Find(i.Str("id"), "subscription_item")).OfType<JsonObject>().ToList();

    public long PeriodStart(JsonObject subscription) => Items(subscription).Select(i => i.Long("current_period_start")).DefaultIfEmpty(subscription.Long("created")).Min();

    public long PeriodEnd(JsonObject subscription) => Items(subscription).Select(i => i.Long("current_period_end")).DefaultIfEmpty(subscription.Long("created")).Max();

    /// <summary>Copies the current subscription item objects into <c>items.data</c>.</summary>
    public void SyncItems(JsonObject subscription, IEnumerable<JsonObject>? items = null)
    {
        var list = (items ?? Items(subscription)).Select(i => (JsonNode)i.DeepClone()).ToArray();
        subscription.Obj("items")["data"] = new JsonArray(list);
    }

    public JsonObject Create(JsonObject customer, IReadOnlyList<(JsonObject Price, long Quantity)> items, JsonObject metadata, string? paymentMethod,
        long? trialEnd, string status)
    {
        var now = _engine.Now;
        var id = Ids.New("sub");
        var first = items[0].Price;
        var periodEnd = trialEnd ?? NextPeriodEnd(now, now, first);
        var subscription = SubscriptionShapes.Subscription(id, now, customer.Str("id")!, first.Str("currency")!, status, metadata, paymentMethod,
            trialEnd is null ? null : now, trialEnd, trialEnd ?? now);
        var created = new List<JsonObject>();
        foreach (var (price, quantity) in items)
        {
            var item = SubscriptionShapes.Item(Ids.New("si", 14), now, id, price, quantity, now, periodEnd, []);
            _engine.Store.Add(item);
            created.Add(item);
        }

        SyncItems(subscription, created);
        _engine.Store.Add(subscription);
        return subscription;
    }

    public void SetPeriod(JsonObject subscription, long start, long end)
    {
        foreach (var item in Items(subscription))
        {
            item["current_period_start"] = start;
            item["current_period_end"] = end;
        }

        SyncItems(subscription);
    }

    /// <summary>The end of the current billing period, or of the trial while trialing.</summary>
    public long CurrentPeriodEnd(JsonObject subscription) =>
        subscription.Str("status") == "trialing" ? subscription.Long("trial_end") : PeriodEnd(subscription);

    public void SetCancelAtPeriodEnd(JsonObject subscription, bool value)
    {
        subscription["cancel_at_period_end"] = value;
        subscription["cancel_at"] = value ? CurrentPeriodEnd(subscription) : null;
        subscription["canceled_at"] = value ? _engine.Now : null;
        subscription.Obj("cancellation_details")["reason"] = value ? "cancellation_requested" : null;
    }

    public void OnInvoicePaid(JsonObject subscription, JsonObject invoice)
    {
        if (subscription.Str("status") is "past_due" or "unpaid")
        {
            var before = (JsonObject)subscription.DeepClone();
            subscription["status"] = "active";
            _engine.Events.EmitUpdated(Updated, before, subscription);
        }
    }

    public void OnInvoicePaymentFailed(JsonObject subscription, JsonObject invoice, bool exhausted)
    {
        if (exhausted)
        {
            if (subscription.Str("status") != "canceled")
            {
                Cancel(subscription, "payment_failed");
            }

            return;
        }

        if (subscription.Str("status") is "active" or "trialing")
        {
            var before = (JsonObject)subscription.DeepClone();
            subscription["status"] = "past_due";
            _engine.Events.EmitUpdated(Updated, before, subscription);
        }
    }

    public void Cancel(JsonObject subscription, string reason)
    {
        if (subscription.Str("status") == "canceled")
        {
            throw ApiException.Invalid($"A canceled subscription can only update its cancellation_details and metadata.", null, "resource_missing");
        }

        var now = _engine.Now;
        subscription["status"] = "canceled";
        subscription["canceled_at"] ??= now;
        subscription["ended_at"] = now;
        subscription.Obj("cancellation_details")["reason"] = reason;
        _engine.Events.Emit("customer.subscription.deleted", subscription);
    }

    /// <summary>Ends the trial at the current time: the subscription becomes active, a new period starts and it is invoiced.</summary>
    public void EndTrial(JsonObject subscription, bool offSession = true)
    {
        var now = _engine.Now;
        SendTrialWillEnd(subscription);
        var before = (JsonObject)subscription.DeepClone();
        subscription["status"] = "active";
        subscription["trial_end"] = now;
        subscription["billing_cycle_anchor"] = now;
        var price = Items(subscription)[0].Obj("price");
        var end = NextPeriodEnd(now, now, price);
        SetPeriod(subscription, now, end);
        _engine.Events.EmitUpdated(Updated, before, subscription);
        _engine.Invoicing.BillSubscription(subscription, "subscription_cycle", now, end, includeItems: true, offSession);
    }

    /// <summary>Starts the next billing period and invoices it.</summary>
    public void Renew(JsonObject subscription)
    {
        var start = PeriodEnd(subscription);
        var price = Items(subscription)[0].Obj("price");
        var end = NextPeriodEnd(subscription.Long("billing_cycle_anchor"), start, price);
        var before = (JsonObject)subscription.DeepClone();
        SetPeriod(subscription, start, end);
        _engine.Events.EmitUpdated(Updated, before, subscription);
        _engine.Invoicing.BillSubscription(subscription, "subscription_cycle", start, end, includeItems: true, offSession: true);
    }

    public void SendTrialWillEnd(JsonObject subscription)
    {
        var marker = _engine.Store.Internal(subscription.Str("id")!);
        var trialEnd = subscription.Long("trial_end");
        if (marker.LongOrNull("trial_will_end_sent") == trialEnd)
        {
            return;
        }

        marker["trial_will_end_sent"] = trialEnd;
        _engine.Events.Emit("customer.subscription.trial_will_end", subscription);
    }

    /// <summary>Puts an active subscription on trial until <paramref name="trialEnd"/> (deferring the next charge, no proration).</summary>
    public void StartTrialUntil(JsonObject subscription, long trialEnd)
    {
        var now = _engine.Now;
        if (subscription.Str("status") != "trialing")
        {
            subscription["trial_start"] = now;
        }

        subscription["status"] = "trialing";
        subscription["trial_end"] = trialEnd;
        SetPeriod(subscription, now, trialEnd);
        subscription["billing_cycle_anchor"] = trialEnd;
        _engine.Store.Internal(subscription.Str("id")!).Remove("trial_will_end_sent");
    }

    /// <summary>Applies item changes; returns the proration invoice items created (pending, not yet invoiced).</summary>
    public List<JsonObject> ChangeItems(JsonObject subscription, IReadOnlyList<ItemChange> changes, string prorationBehavior)
    {
        var now = _engine.Now;
        var items = Items(subscription);
        var periodStart = PeriodStart(subscription);
        var periodEnd = PeriodEnd(subscription);
        var prorate = prorationBehavior != "none" && subscription.Str("status") is "active" or "past_due" && periodEnd > now;
        var fraction = periodEnd > periodStart ? (decimal)(periodEnd - Math.Max(now, periodStart)) / (periodEnd - periodStart) : 0m;
        var prorations = new List<(long Amount, string Description, JsonObject Price, long Quantity)>();

        foreach (var change in changes)
        {
            if (change.Id is null)
            {
                var price = change.Price ?? throw ApiException.Missing("items[0][price]");
                EnsureCurrency(subscription, price);
                var quantity = change.Quantity ?? 1;
                var item = SubscriptionShapes.Item(Ids.New("si", 14), now, subscription.Str("id")!, price, quantity, periodStart, periodEnd, change.Metadata ?? []);
                _engine.Store.Add(item);
                items.Add(item);
                prorations.Add((Amount(price, quantity), $"Remaining time on {quantity} × {ProductName(price)} after {Date(now)}", price, quantity));
                continue;
            }

            var existing = items.FirstOrDefault(i => i.Str("id") == change.Id)
                ?? throw ApiException.NoSuch("subscription item", change.Id, "items");
            var oldPrice = existing.Obj("price");
            var oldQuantity = existing.Long("quantity");
            if (change.Deleted)
            {
                items.Remove(existing);
                _engine.Store.Data.Objects.Remove(change.Id);
                prorations.Add((-Amount(oldPrice, oldQuantity), $"Unused time on {oldQuantity} × {ProductName(oldPrice)} after {Date(now)}", oldPrice, oldQuantity));
                continue;
            }

            var newPrice = change.Price ?? oldPrice;
            EnsureCurrency(subscription, newPrice);
            var newQuantity = change.Quantity ?? oldQuantity;
            if (newPrice.Str("id") != oldPrice.Str("id") || newQuantity != oldQuantity)
            {
                prorations.Add((-Amount(oldPrice, oldQuantity), $"Unused time on {oldQuantity} × {ProductName(oldPrice)} after {Date(now)}", oldPrice, oldQuantity));
                prorations.Add((Amount(newPrice, newQuantity), $"Remaining time on {newQuantity} × {ProductName(newPrice)} after {Date(now)}", newPrice, newQuantity));
            }

            existing["price"] = newPrice.DeepClone();
            existing["plan"] = CatalogShapes.Plan(newPrice);
            existing["quantity"] = newQuantity;
            if (change.Metadata is not null)
            {
                existing["metadata"] = change.Metadata;
            }
        }

        if (items.Count == 0)
        {
            throw ApiException.Invalid("A subscription must have at least one active plan.", "items");
        }

        SyncItems(subscription, items);
        var created = new List<JsonObject>();
        if (!prorate)
        {
            return created;
        }

        foreach (var (amount, description, price, quantity) in prorations)
        {
            var value = (long)Math.Round(amount * fraction, MidpointRounding.AwayFromZero);
            var ii = InvoiceShapes.InvoiceItem(Ids.New("ii"), now, subscription.Str("customer")!, value, price.Str("currency")!, quantity, description, null,
                subscription.Str("id"), now, periodEnd, proration: true, price, []);
            _engine.Store.Add(ii);
            created.Add(ii);
        }

        return created;
    }

    private static void EnsureCurrency(JsonObject subscription, JsonObject price)
    {
        if (price["recurring"] is null)
        {
            throw ApiException.Invalid($"The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.", "items");
        }

        if (price.Str("currency") != subscription.Str("currency"))
        {
            throw ApiException.Invalid("The price specified has a different currency than the subscription.", "items");
        }
    }

    private static long Amount(JsonObject price, long quantity) => price.Long("unit_amount") * quantity;

    private string ProductName(JsonObject price) => _engine.Store.Find(price.Str("product")).Str("name") ?? price.Str("id")!;

    private static string Date(long unix) => DateTimeOffset.FromUnixTimeSeconds(unix).ToString("dd MMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
}
