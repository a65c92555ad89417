using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Http;
using Monetization.StripeEmulator.Shapes;

namespace Monetization.StripeEmulator.Api;

/// <summary><c>/v1/refunds</c> (create, retrieve, list), <c>/v1/charges</c> and <c>/v1/payment_intents</c> (retrieve, list), <c>/v1/payment_methods/{id}</c>.</summary>
internal static class PaymentsApi
{
    public static void Map(Router router)
    {
        router.Post("/v1/refunds", CreateRefund);
        router.Get("/v1/refunds", ListRefunds);
        router.Get("/v1/refunds/{id}", q => Retrieve(q, "refund"));
        router.Get("/v1/charges", q => ListBy(q, "charge", "/v1/charges"));
        router.Get("/v1/charges/{id}", q => Retrieve(q, "charge"));
        router.Get("/v1/payment_intents", q => ListBy(q, "payment_intent", "/v1/payment_intents"));
        router.Get("/v1/payment_intents/{id}", q => Retrieve(q, "payment_intent"));
        router.Get("/v1/payment_methods/{id}", q => Retrieve(q, "payment_method"));
    }

    private static JsonNode Retrieve(ApiRequest q, string type)
    {
        q.Form.Allow(string.Empty);
        return q.Engine.Store.Require(q.Id, type, "id");
    }

    private static JsonNode ListBy(ApiRequest q, string type, string url)
    {
        q.Form.Allow("customer payment_intent transfer_group " + Lists.PagingParams);
        var customer = q.Form.Str("customer");
        var intent = q.Form.Str("payment_intent");
        var items = q.Engine.Store.All(type).Where(o =>
            (customer is null || o.Str("customer") == customer) &&
            (intent is null || o.Str("payment_intent") == intent));
        return Lists.Page(q.Form, items, url);
    }

    private static JsonNode CreateRefund(ApiRequest q)
    {
        var form = q.Form;
        form.Allow("amount charge currency customer instructions_email metadata origin payment_intent reason refund_application_fee reverse_transfer");
        var chargeId = form.Str("charge");
        var intentId = form.Str("payment_intent");
        JsonObject charge;
        if (!string.IsNullOrEmpty(chargeId))
        {
            charge = q.Engine.Store.Require(chargeId, "charge", "charge");
        }
        else if (!string.IsNullOrEmpty(intentId))
        {
            var intent = q.Engine.Store.Require(intentId, "payment_intent", "payment_intent");
            charge = q.Engine.Store.Find(intent.Str("latest_charge"), "charge") is { } latest && intent.Str("status") == "succeeded"
                ? latest
                : throw ApiException.Invalid($"This PaymentIntent ({intentId}) does not have a successful charge to refund.", "payment_intent", "charge_not_refundable");
        }
        else
        {
            throw ApiException.Missing("charge");
        }

        var reason = form.Str("reason");
        if (reason is not (null or "duplicate" or "fraudulent" or "requested_by_customer"))
        {
            throw ApiException.Invalid("Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer", "reason", "parameter_invalid_string");
        }

        var amount = form.Long("amount");
        return q.Engine.Payments.Refund(charge, amount, reason, form.Bool("reverse_transfer") ?? false, q.Metadata());
    }

    private static JsonNode ListRefunds(ApiRequest q)
    {
        q.Form.Allow("charge payment_intent " + Lists.PagingParams);
        var charge = q.Form.Str("charge");
        var intent = q.Form.Str("payment_intent");
        var items = q.Engine.Store.All("refund").Where(r =>
            (charge is null || r.Str("charge") == charge) && (intent is null || r.Str("payment_intent") == intent));
        return Lists.Page(q.Form, items, "/v1/refunds");
    }
}
