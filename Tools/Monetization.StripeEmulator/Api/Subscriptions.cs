using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Billing;
using Monetization.StripeEmulator.Http;
using Monetization.StripeEmulator.Shapes;

namespace Monetization.StripeEmulator.Api;

/// <summary><c>/v1/subscriptions</c>: retrieve, list, update (cancel at period end, plan changes, trial_end, metadata), cancel.</summary>
internal static class Subscriptions
{
    private const string UpdateFields = "add_invoice_items application_fee_percent automatic_tax billing_cycle_anchor billing_schedules billing_thresholds cancel_at cancel_at_period_end cancellation_details collection_method days_until_due default_payment_method default_source default_tax_rates description discounts invoice_settings items metadata off_session on_behalf_of pause_collection payment_behavior payment_settings pending_invoice_item_interval proration_behavior proration_date transfer_data trial_end trial_from_plan trial_settings";

    public static void Map(Router router)
    {
        router.Get("/v1/subscriptions", List);
        router.Get("/v1/subscriptions/{id}", Retrieve);
        router.Post("/v1/subscriptions/{id}", Update);
        router.Delete("/v1/subscriptions/{id}", Cancel);
    }

    private static JsonNode Retrieve(ApiRequest q)
    {
        q.Form.Allow(string.Empty);
        return q.Engine.Store.Require(q.Id, "subscription", "id");
    }

    private static JsonNode List(ApiRequest q)
    {
        q.Form.Allow("automatic_tax collection_method current_period_end current_period_start customer customer_account price status test_clock " + Lists.PagingParams);
        var customer = q.Form.Str("customer");
        var status = q.Form.Str("status");
        var price = q.Form.Str("price");
        var items = q.Engine.Store.All("subscription").Where(s =>
            (customer is null || s.Str("customer") == customer) &&
            (status switch
            {
                null => s.Str("status") != "canceled",
                "all" => true,
                "ended" => s.Str("status") is "canceled" or "incomplete_expired",
                _ => s.Str("status") == status,
            }) &&
            (price is null || s.Obj("items").Arr("data").Any(i => i?["price"].Str("id") == price)));
        return Lists.Page(q.Form, items, "/v1/subscriptions");
    }

    public static string ProrationBehavior(Forms.FormNode form)
    {
        var value = form.Str("proration_behavior") ?? "create_prorations";
        if (value is not ("create_prorations" or "none" or "always_invoice"))
        {
            throw ApiException.Invalid($"Invalid proration_behavior: must be one of create_prorations, none, or always_invoice", "proration_behavior", "parameter_invalid_string");
        }

        return value;
    }

    public static ItemChange ParseItem(ApiRequest q, Forms.FormNode item, bool requirePrice)
    {
        JsonObject? price = null;
        var priceId = item.Str("price") ?? item.Str("plan");
        if (!string.IsNullOrEmpty(priceId))
        {
            price = q.Engine.Store.Require(priceId, "price", item.Path.Length == 0 ? "price" : item.Path + "[price]");
        }
        else if (item.Get("price_data") is { } data)
        {
            data.Allow("currency product recurring tax_behavior unit_amount unit_amount_decimal");
            data.RequireStr("product");
            price = Catalog.NewPrice(q, data, requireRecurring: true, emit: false);
            price["active"] = false;
        }

        var id = item.Str("id");
        if (requirePrice && price is null && string.IsNullOrEmpty(id))
        {
            throw ApiException.Missing(item.Path.Length == 0 ? "price" : item.Path + "[price]");
        }

        var quantity = item.Long("quantity");
        if (quantity is < 0)
        {
            throw ApiException.Invalid("Invalid quantity: must be non-negative", item.Path.Length == 0 ? "quantity" : item.Path + "[quantity]", "parameter_invalid_integer");
        }

        return new ItemChange(string.IsNullOrEmpty(id) ? null : id, price, quantity, item.Bool("deleted") ?? false,
            item.Get("metadata") is null ? null : Common.Metadata(item.Map("metadata", out _)));
    }

    /// <summary>Applies item changes, emits <c>customer.subscription.updated</c> and invoices prorations when asked.</summary>
    public static void ApplyItemChanges(ApiRequest q, JsonObject subscription, JsonObject before, IReadOnlyList<ItemChange> changes, string prorationBehavior)
    {
        var prorations = changes.Count == 0 ? [] : q.Engine.Subscriptions.ChangeItems(subscription, changes, prorationBehavior);
        q.Engine.Events.EmitUpdated("customer.subscription.updated", before, subscription);
        if (prorationBehavior == "always_invoice" && prorations.Count > 0)
        {
            var now = q.Now;
            q.Engine.Invoicing.BillSubscription(subscription, "subscription_update", now, q.Engine.Subscriptions.PeriodEnd(subscription), includeItems: false, offSession: true);
        }
    }

    private static JsonNode Update(ApiRequest q)
    {
        var form = q.Form;
        form.Allow(UpdateFields);
        Http.ApiVersions.CheckBillingCycleAnchor(form, q.ApiVersion);
        form.AllowEach("items", "billing_thresholds clear_usage current_trial deleted discounts id metadata plan price price_data quantity tax_rates");
        form.AllowIn("cancellation_details", "comment feedback feedback_option");
        var engine = q.Engine;
        var subscription = engine.Store.Require(q.Id, "subscription", "id");
        if (subscription.Str("status") == "canceled" && form.Children.Keys.Any(k => k is not ("metadata" or "cancellation_details" or "expand")))
        {
            throw ApiException.Invalid("A canceled subscription can only update its cancellation_details and metadata.", null);
        }

        var proration = ProrationBehavior(form);
        var changes = form.Array("items").Select(i => ParseItem(q, i, requirePrice: false)).ToList();
        var trialEndText = form.Str("trial_end");
        long? trialEnd = null;
        var endTrialNow = trialEndText == "now";
        if (!endTrialNow && !string.IsNullOrEmpty(trialEndText))
        {
            trialEnd = form.Long("trial_end");
            if (trialEnd <= q.Now)
            {
                throw ApiException.Invalid("Invalid timestamp: must be in the future (or `now`).", "trial_end", "parameter_invalid_integer");
            }
        }

        string? paymentMethod = null;
        if (form.Str("default_payment_method") is { Length: > 0 } pm)
        {
            paymentMethod = engine.Store.Require(pm, "payment_method", "default_payment_method").Str("id");
        }

        var before = (JsonObject)subscription.DeepClone();
        if (form.Has("metadata"))
        {
            subscription["metadata"] = q.Metadata(subscription["metadata"] as JsonObject);
        }

        if (form.Has("description"))
        {
            subscription["description"] = form.Str("description") is { Length: > 0 } d ? d : null;
        }

        if (paymentMethod is not null)
        {
            subscription["default_payment_method"] = paymentMethod;
        }

        if (form.Get("cancellation_details") is { } details)
        {
            var target = subscription.Obj("cancellation_details");
            if (details.Has("comment"))
            {
                target["comment"] = details.Str("comment") is { Length: > 0 } c ? c : null;
            }

            if (details.Has("feedback"))
            {
                target["feedback"] = details.Str("feedback") is { Length: > 0 } f ? f : null;
            }
        }

        if (form.Bool("cancel_at_period_end") is { } atPeriodEnd)
        {
            engine.Subscriptions.SetCancelAtPeriodEnd(subscription, atPeriodEnd);
        }

        if (form.Has("cancel_at"))
        {
            var cancelAt = form.Str("cancel_at") switch
            {
                null or "" => (long?)null,
                "max_period_end" or "min_period_end" or "max_billed_until" => EndOfCurrentPeriod(q, subscription),
                _ => form.Long("cancel_at"),
            };
            subscription["cancel_at"] = cancelAt;
            subscription["cancel_at_period_end"] = cancelAt is not null && cancelAt == EndOfCurrentPeriod(q, subscription);
            subscription["canceled_at"] = cancelAt is null ? null : q.Now;
        }

        if (trialEnd is not null)
        {
            engine.Subscriptions.StartTrialUntil(subscription, trialEnd.Value);
            if (subscription.Bool("cancel_at_period_end"))
            {
                subscription["cancel_at"] = trialEnd;
            }
        }

        ApplyItemChanges(q, subscription, before, changes, proration);

        if (endTrialNow && subscription.Str("status") == "trialing")
        {
            engine.Subscriptions.EndTrial(subscription, offSession: true);
        }

        return subscription;
    }

    private static long EndOfCurrentPeriod(ApiRequest q, JsonObject subscription) => q.Engine.Subscriptions.CurrentPeriodEnd(subscription);

    private static JsonNode Cancel(ApiRequest q)
    {
        q.Form.Allow("cancellation_details invoice_now prorate");
        q.Form.AllowIn("cancellation_details", "comment feedback feedback_option");
        var subscription = q.Engine.Store.Require(q.Id, "subscription", "id");
        if (q.Form.Get("cancellation_details") is { } details)
        {
            subscription.Obj("cancellation_details")["comment"] = details.Str("comment");
            subscription.Obj("cancellation_details")["feedback"] = details.Str("feedback");
        }

        subscription["canceled_at"] = q.Now;
        q.Engine.Subscriptions.Cancel(subscription, "cancellation_requested");
        return subscription;
    }
}
