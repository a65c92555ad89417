using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Shapes;
using Monetization.StripeEmulator.State;

namespace Monetization.StripeEmulator.Api;

/// <summary><c>/v1/customers</c>: create, retrieve, update, list.</summary>
internal static class Customers
{
    private const string Fields = "address balance business_name cash_balance description email individual_name invoice_prefix invoice_settings metadata name next_invoice_sequence payment_method phone preferred_locales shipping source tax tax_exempt tax_id_data test_clock validate";

    public static void Map(Router router)
    {
        router.Post("/v1/customers", Create);
        router.Get("/v1/customers", List);
        router.Get("/v1/customers/{id}", Retrieve);
        router.Post("/v1/customers/{id}", Update);
    }

    private static JsonNode Create(ApiRequest q)
    {
        q.Form.Allow(Fields);
        var customer = CatalogShapes.Customer(Ids.New("cus", 14), q.Now, q.Form.Str("email"), q.Form.Str("name"), q.Form.Str("description"),
            q.Form.Str("phone"), q.Metadata());
        Apply(q, customer);
        q.Engine.Store.Add(customer);
        q.Engine.Events.Emit("customer.created", customer);
        return customer;
    }

    private static JsonNode Retrieve(ApiRequest q)
    {
        q.Form.Allow(string.Empty);
        return q.Engine.Store.Require(q.Id, "customer", "id");
    }

    private static JsonNode Update(ApiRequest q)
    {
        q.Form.Allow(Fields + " default_source");
        var customer = q.Engine.Store.Require(q.Id, "customer", "id");
        var before = (JsonObject)customer.DeepClone();
        foreach (var field in new[] { "email", "name", "description", "phone" })
        {
            if (q.Form.Has(field))
            {
                var value = q.Form.Str(field);
                customer[field] = string.IsNullOrEmpty(value) ? null : value;
            }
        }

        if (q.Form.Has("metadata"))
        {
            customer["metadata"] = q.Metadata(customer["metadata"] as JsonObject);
        }

        Apply(q, customer);
        q.Engine.Events.EmitUpdated("customer.updated", before, customer);
        return customer;
    }

    private static void Apply(ApiRequest q, JsonObject customer)
    {
        var paymentMethod = q.Form.Get("invoice_settings")?.Str("default_payment_method") ?? q.Form.Str("payment_method");
        if (!string.IsNullOrEmpty(paymentMethod))
        {
            q.Engine.Store.Require(paymentMethod, "payment_method", q.Form.Has("payment_method") ? "payment_method" : "invoice_settings[default_payment_method]");
            customer["invoice_settings"]!["default_payment_method"] = paymentMethod;
        }

        if (q.Form.Str("tax_exempt") is { Length: > 0 } taxExempt)
        {
            customer["tax_exempt"] = taxExempt;
        }

        var locales = q.Form.StrArray("preferred_locales");
        if (locales.Count > 0)
        {
            customer["preferred_locales"] = Common.Strings(locales);
        }
    }

    private static JsonNode List(ApiRequest q)
    {
        q.Form.Allow("email test_clock " + Lists.PagingParams);
        var email = q.Form.Str("email");
        var items = q.Engine.Store.All("customer").Where(c => email is null || c.Str("email") == email);
        return Lists.Page(q.Form, items, "/v1/customers");
    }
}
