using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Http;
using Monetization.StripeEmulator.Shapes;
using Monetization.StripeEmulator.State;

namespace Monetization.StripeEmulator.Api;

/// <summary><c>/v1/checkout/sessions</c>: create (payment and subscription modes), retrieve, list, line items, expire.</summary>
internal static class CheckoutSessions
{
    private const string Fields = "adaptive_pricing after_expiration allow_promotion_codes allowed_payment_method_types automatic_tax billing_address_collection branding_settings cancel_url client_reference_id consent_collection currency custom_fields custom_text customer customer_account customer_creation customer_email customer_update discounts excluded_payment_method_types expires_at integration_identifier invoice_creation line_items locale managed_payments metadata mode name_collection optional_items origin_context payment_intent_data payment_method_collection payment_method_configuration payment_method_data payment_method_options payment_method_types permissions phone_number_collection redirect_on_completion return_url saved_payment_method_options setup_intent_data shipping_address_collection shipping_options submit_type subscription_data success_url tax_id_collection ui_mode wallet_options";

    public static void Map(Router router)
    {
        router.Post("/v1/checkout/sessions", Create);
        router.Get("/v1/checkout/sessions", List);
        router.Get("/v1/checkout/sessions/{id}", Retrieve);
        router.Get("/v1/checkout/sessions/{id}/line_items", LineItems);
        router.Post("/v1/checkout/sessions/{id}/expire", Expire);
    }

    private static JsonNode Create(ApiRequest q)
    {
        var form = q.Form;
        form.Allow(Fields);
        Http.ApiVersions.CheckCheckoutSessionCreate(form, q.ApiVersion);
        form.AllowEach("line_items", "adjustable_quantity dynamic_tax_rates metadata price price_data quantity tax_rates");
        foreach (var line in form.Array("line_items"))
        {
            line.AllowIn("price_data", "currency product product_data recurring tax_behavior unit_amount unit_amount_decimal");
        }

        form.AllowIn("subscription_data", "application_fee_percent billing_cycle_anchor billing_cycle_anchor_config billing_mode default_tax_rates description invoice_settings metadata on_behalf_of pending_invoice_item_interval proration_behavior transfer_data trial_end trial_period_days trial_settings");
        form.AllowIn("payment_intent_data", "application_fee_amount capture_method description metadata on_behalf_of receipt_email setup_future_usage shipping statement_descriptor statement_descriptor_suffix transfer_data transfer_group");
        form.Get("payment_intent_data")?.AllowIn("transfer_data", "amount destination");

        var mode = form.RequireStr("mode");
        if (mode is not ("payment" or "subscription"))
        {
            throw ApiException.Invalid($"Invalid mode: the emulator supports `payment` and `subscription` (got `{mode}`).", "mode", "parameter_invalid_string");
        }

        if (mode == "payment" && form.Has("subscription_data"))
        {
            throw ApiException.Invalid("You can not pass `subscription_data` in `payment` mode.", "subscription_data");
        }

        if (mode == "subscription" && form.Has("payment_intent_data"))
        {
            throw ApiException.Invalid("You can not pass `payment_intent_data` in `subscription` mode.", "payment_intent_data");
        }

        var lines = form.Array("line_items");
        if (lines.Count == 0)
        {
            throw ApiException.Missing("line_items");
        }

        var customerId = form.Str("customer");
        if (!string.IsNullOrEmpty(customerId))
        {
            q.Engine.Store.Require(customerId, "customer", "customer");
            if (form.Has("customer_email"))
            {
                throw ApiException.Invalid("You may only specify one of these parameters: customer, customer_email.", "customer_email");
            }
        }

        var subscriptionData = form.Get("subscription_data");
        var trialDays = subscriptionData?.Long("trial_period_days");
        if (trialDays is < 1)
        {
            throw ApiException.Invalid("The trial_period_days must be at least 1.", "subscription_data[trial_period_days]", "parameter_invalid_integer");
        }

        var paymentIntentData = form.Get("payment_intent_data");
        var destination = paymentIntentData?.Get("transfer_data")?.Str("destination");
        if (destination is not null)
        {
            q.Engine.Store.Require(destination, "account", "payment_intent_data[transfer_data][destination]");
        }

        // Validate every line before creating anything.
        var resolved = new List<(Forms.FormNode Line, JsonObject? Price)>();
        foreach (var line in lines)
        {
            var priceId = line.Str("price");
            if (!string.IsNullOrEmpty(priceId))
            {
                resolved.Add((line, q.Engine.Store.Require(priceId, "price", line.Path + "[price]")));
            }
            else if (line.Has("price_data"))
            {
                resolved.Add((line, null));
            }
            else
            {
                throw ApiException.Missing(line.Path + "[price]");
            }
        }

        var items = new JsonArray();
        string? currency = null;
        long total = 0;
        foreach (var (line, known) in resolved)
        {
            var price = known ?? Catalog.NewPrice(q, line.Get("price_data")!, requireRecurring: false, emit: false);
            if (known is null)
            {
                price["active"] = false;
            }

            if (mode == "payment" && price["recurring"] is not null)
            {
                throw ApiException.Invalid("You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.", line.Path + "[price]");
            }

            currency ??= price.Str("currency");
            if (currency != price.Str("currency"))
            {
                throw ApiException.Invalid("All line items must use the same currency.", line.Path + "[price]");
            }

            var quantity = line.Long("quantity") ?? 1;
            var productName = q.Engine.Store.Find(price.Str("product")).Str("name") ?? "Item";
            var item = CheckoutShapes.LineItem(Ids.New("li"), price, quantity, productName);
            items.Add(item);
            total += item.Long("amount_total");
        }

        if (mode == "subscription" && !items.Any(i => i?["price"]?["recurring"] is not null))
        {
            throw ApiException.Invalid("You must provide at least one recurring price in `subscription` mode when using prices.", "line_items");
        }

        var id = Ids.CheckoutSession();
        var session = CheckoutShapes.Session(id, q.Now, mode, $"{q.Engine.PublicBaseUrl}/checkout/{id}", form.Str("success_url"), form.Str("cancel_url"),
            string.IsNullOrEmpty(customerId) ? null : customerId, form.Str("customer_email"), form.Str("client_reference_id"), q.Metadata(), total, currency!);
        if (form.Str("customer_creation") is { Length: > 0 } creation)
        {
            session["customer_creation"] = creation;
        }

        if (form.Long("expires_at") is { } expiresAt)
        {
            session["expires_at"] = expiresAt;
        }

        if (form.Str("locale") is { Length: > 0 } locale)
        {
            session["locale"] = locale;
        }

        if (form.Bool("allow_promotion_codes") is { } allowPromotionCodes)
        {
            session["allow_promotion_codes"] = allowPromotionCodes;
        }

        q.Engine.Store.Add(session);
        var data = q.Engine.Store.Internal(id);
        data["line_items"] = items;
        data["trial_period_days"] = trialDays;
        data["trial_end"] = subscriptionData?.Long("trial_end");
        data["subscription_metadata"] = subscriptionData?.Get("metadata") is null ? null : Common.Metadata(subscriptionData.Map("metadata", out _));
        if (paymentIntentData is not null)
        {
            var transfer = paymentIntentData.Get("transfer_data");
            data["payment_intent_data"] = new JsonObject
            {
                ["application_fee_amount"] = paymentIntentData.Long("application_fee_amount"),
                ["description"] = paymentIntentData.Str("description"),
                ["metadata"] = paymentIntentData.Get("metadata") is null ? new JsonObject() : Common.Metadata(paymentIntentData.Map("metadata", out _)),
                ["transfer_group"] = paymentIntentData.Str("transfer_group"),
                ["transfer_data"] = TransferData(transfer),
            };
        }

        return session;
    }

    /// <summary>
    /// <c>payment_intent_data[transfer_data]</c> as the PaymentIntent's <c>transfer_data</c>: <c>amount</c> only when given
    /// (absent, not null, otherwise: Stripe.net's <c>PaymentIntentTransferData.Amount</c> is a non-nullable long).
    /// </summary>
    private static JsonObject? TransferData(Forms.FormNode? transfer)
    {
        if (transfer is null)
        {
            return null;
        }

        var result = new JsonObject();
        if (transfer.Long("amount") is { } amount)
        {
            result["amount"] = amount;
        }

        result["destination"] = transfer.Str("destination");
        return result;
    }

    private static JsonNode Retrieve(ApiRequest q)
    {
        q.Form.Allow(string.Empty);
        return q.Engine.Store.Require(q.Id, "checkout.session", "session");
    }

    private static JsonNode LineItems(ApiRequest q)
    {
        q.Form.Allow(Lists.PagingParams);
        var session = q.Engine.Store.Require(q.Id, "checkout.session", "session");
        var items = q.Engine.Checkout.LineItems(session);
        return Lists.Page(q.Form, items, $"/v1/checkout/sessions/{q.Id}/line_items");
    }

    private static JsonNode Expire(ApiRequest q)
    {
        q.Form.Allow(string.Empty);
        var session = q.Engine.Store.Require(q.Id, "checkout.session", "session");
        if (session.Str("status") != "open")
        {
            throw ApiException.Invalid($"Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of \"{session.Str("status")}\".", null);
        }

        session["status"] = "expired";
        session["url"] = null;
        q.Engine.Events.Emit("checkout.session.expired", session);
        return session;
    }

    private static JsonNode List(ApiRequest q)
    {
        q.Form.Allow("created customer customer_details payment_intent payment_link status subscription " + Lists.PagingParams);
        var customer = q.Form.Str("customer");
        var subscription = q.Form.Str("subscription");
        var paymentIntent = q.Form.Str("payment_intent");
        var status = q.Form.Str("status");
        var items = q.Engine.Store.All("checkout.session").Where(s =>
            (customer is null || s.Str("customer") == customer) &&
            (subscription is null || s.Str("subscription") == subscription) &&
            (paymentIntent is null || s.Str("payment_intent") == paymentIntent) &&
            (status is null || s.Str("status") == status));
        return Lists.Page(q.Form, items, "/v1/checkout/sessions");
    }
}
