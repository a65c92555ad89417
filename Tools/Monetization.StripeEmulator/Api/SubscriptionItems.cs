using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Billing;
using Monetization.StripeEmulator.Shapes;

namespace Monetization.StripeEmulator.Api;

/// <summary><c>/v1/subscription_items</c>: create (add-on), retrieve, list, delete.</summary>
internal static class SubscriptionItems
{
    public static void Map(Router router)
    {
        router.Post("/v1/subscription_items", Create);
        router.Get("/v1/subscription_items", List);
        router.Get("/v1/subscription_items/{id}", Retrieve);
        router.Delete("/v1/subscription_items/{id}", Delete);
    }

    private static JsonNode Create(ApiRequest q)
    {
        q.Form.Allow("billing_thresholds discounts metadata payment_behavior plan price price_data proration_behavior proration_date quantity subscription tax_rates");
        var subscription = q.Engine.Store.Require(q.Form.RequireStr("subscription"), "subscription", "subscription");
        var change = Subscriptions.ParseItem(q, q.Form, requirePrice: true);
        var proration = Subscriptions.ProrationBehavior(q.Form);
        var before = (JsonObject)subscription.DeepClone();
        var existing = q.Engine.Subscriptions.Items(subscription).Select(i => i.Str("id")).ToHashSet();
        Subscriptions.ApplyItemChanges(q, subscription, before, [change with { Id = null }], proration);
        return q.Engine.Subscriptions.Items(subscription).First(i => !existing.Contains(i.Str("id")));
    }

    private static JsonNode Retrieve(ApiRequest q)
    {
        q.Form.Allow(string.Empty);
        return q.Engine.Store.Require(q.Id, "subscription_item", "id");
    }

    private static JsonNode List(ApiRequest q)
    {
        q.Form.Allow("subscription " + Lists.PagingParams);
        var subscription = q.Engine.Store.Require(q.Form.RequireStr("subscription"), "subscription", "subscription");
        return Lists.Page(q.Form, q.Engine.Subscriptions.Items(subscription), $"/v1/subscription_items?subscription={subscription.Str("id")}");
    }

    private static JsonNode Delete(ApiRequest q)
    {
        q.Form.Allow("clear_usage proration_behavior proration_date");
        var item = q.Engine.Store.Require(q.Id, "subscription_item", "id");
        var subscription = q.Engine.Store.Require(item.Str("subscription"), "subscription", "subscription");
        var proration = Subscriptions.ProrationBehavior(q.Form);
        var before = (JsonObject)subscription.DeepClone();
        Subscriptions.ApplyItemChanges(q, subscription, before, [new ItemChange(q.Id, null, null, true, null)], proration);
        return new JsonObject { ["id"] = q.Id, ["object"] = "subscription_item", ["deleted"] = true };
    }
}
