using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Http;
using Monetization.StripeEmulator.Shapes;
using Monetization.StripeEmulator.State;

namespace Monetization.StripeEmulator.Api;

/// <summary><c>/v1/products</c> and <c>/v1/prices</c>: create, retrieve, list.</summary>
internal static class Catalog
{
    public static void Map(Router router)
    {
        router.Post("/v1/products", CreateProduct);
        router.Get("/v1/products", ListProducts);
        router.Get("/v1/products/{id}", q => Retrieve(q, "product"));
        router.Post("/v1/prices", CreatePrice);
        router.Get("/v1/prices", ListPrices);
        router.Get("/v1/prices/{id}", q => Retrieve(q, "price"));
    }

    private static JsonNode Retrieve(ApiRequest q, string type)
    {
        q.Form.Allow(string.Empty);
        return q.Engine.Store.Require(q.Id, type, "id");
    }

    private static JsonNode CreateProduct(ApiRequest q)
    {
        q.Form.Allow("active default_price_data description id images marketing_features metadata name package_dimensions shippable statement_descriptor tax_code type unit_label url");
        var name = q.Form.RequireStr("name");
        var id = q.Form.Str("id") is { Length: > 0 } custom ? custom : Ids.New("prod", 14);
        if (q.Engine.Store.Find(id) is not null)
        {
            throw ApiException.Invalid($"Product already exists.", "id", "resource_already_exists");
        }

        var product = CatalogShapes.Product(id, q.Now, name, q.Form.Str("description"), q.Form.Bool("active") ?? true, q.Metadata());
        q.Engine.Store.Add(product);
        q.Engine.Events.Emit("product.created", product);
        return product;
    }

    /// <summary>Creates a price from <c>price_data</c>-like fields (used by prices, checkout and invoice items).</summary>
    public static JsonObject NewPrice(ApiRequest q, Forms.FormNode data, bool requireRecurring, bool emit)
    {
        data.AllowIn("recurring", "interval interval_count meter trial_period_days usage_type");
        var currency = data.RequireStr("currency").ToLowerInvariant();
        var productId = data.Str("product");
        if (string.IsNullOrEmpty(productId))
        {
            var productData = data.Get("product_data") ?? throw Http.ApiException.Missing(data.Path.Length == 0 ? "product" : data.Path + "[product]");
            productData.Allow("description images metadata name statement_descriptor tax_code unit_label tax_details");
            var product = CatalogShapes.Product(Ids.New("prod", 14), q.Now, productData.RequireStr("name"), productData.Str("description"), true, []);
            q.Engine.Store.Add(product);
            if (emit)
            {
                q.Engine.Events.Emit("product.created", product);
            }

            productId = product.Str("id")!;
        }
        else
        {
            q.Engine.Store.Require(productId, "product", data.Path.Length == 0 ? "product" : data.Path + "[product]");
        }

        decimal? amountDecimal = null;
        if (data.Str("unit_amount_decimal") is { } dec)
        {
            if (!decimal.TryParse(dec, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                throw ApiException.Invalid("Invalid decimal: " + dec, data.Path.Length == 0 ? "unit_amount_decimal" : data.Path + "[unit_amount_decimal]", "parameter_invalid_decimal");
            }

            amountDecimal = parsed;
        }

        var amount = data.Long("unit_amount") ?? (amountDecimal is { } whole ? (long)decimal.Truncate(whole) : (long?)null);
        if (amount is null)
        {
            throw Http.ApiException.Missing(data.Path.Length == 0 ? "unit_amount" : data.Path + "[unit_amount]");
        }

        var recurring = data.Get("recurring");
        string? interval = null;
        long count = 1;
        if (recurring is not null)
        {
            interval = recurring.RequireStr("interval");
            if (interval is not ("day" or "week" or "month" or "year"))
            {
                throw ApiException.Invalid($"Invalid recurring[interval]: must be one of day, month, week, or year", recurring.Path + "[interval]", "parameter_invalid_string");
            }

            count = recurring.Long("interval_count") ?? 1;
        }
        else if (requireRecurring)
        {
            throw Http.ApiException.Missing(data.Path.Length == 0 ? "recurring" : data.Path + "[recurring]");
        }

        var price = CatalogShapes.Price(Ids.New("price"), q.Now, productId, currency, amount.Value, interval, count, data.Str("nickname"), data.Str("lookup_key"),
            data.Bool("active") ?? true, data.Get("metadata") is null ? [] : Common.Metadata(data.Map("metadata", out _)));
        if (amountDecimal is { } fine && fine != decimal.Truncate(fine))
        {
            // As Stripe answers a sub-minor-unit price: no integer unit_amount, the decimal string kept.
            price["unit_amount"] = null;
            price["unit_amount_decimal"] = fine.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        data.AllowIn("transform_quantity", "divide_by round");
        if (data.Get("transform_quantity") is { } transform)
        {
            var divideBy = transform.Long("divide_by");
            var round = transform.Str("round");
            if (divideBy is null or < 1)
            {
                throw ApiException.Invalid("transform_quantity[divide_by] must be a positive integer.", transform.Path + "[divide_by]", "parameter_invalid_integer");
            }

            if (round is not ("up" or "down"))
            {
                throw ApiException.Invalid("transform_quantity[round] must be up or down.", transform.Path + "[round]", "parameter_invalid_string");
            }

            price["transform_quantity"] = new JsonObject { ["divide_by"] = divideBy, ["round"] = round };
        }

        q.Engine.Store.Add(price);
        if (emit)
        {
            q.Engine.Events.Emit("price.created", price);
        }

        return price;
    }

    private static JsonNode CreatePrice(ApiRequest q)
    {
        q.Form.Allow("active billing_scheme currency currency_options custom_unit_amount lookup_key metadata nickname product product_data recurring tax_behavior tiers tiers_mode transfer_lookup_key transform_quantity unit_amount unit_amount_decimal");
        return NewPrice(q, q.Form, requireRecurring: false, emit: true);
    }

    private static JsonNode ListProducts(ApiRequest q)
    {
        q.Form.Allow("active ids shippable url " + Lists.PagingParams);
        var active = q.Form.Bool("active");
        var ids = q.Form.StrArray("ids");
        var items = q.Engine.Store.All("product").Where(p =>
            (active is null || p.Bool("active") == active) &&
            (ids.Count == 0 || ids.Contains(p.Str("id") ?? string.Empty)));
        return Lists.Page(q.Form, items, "/v1/products");
    }

    private static JsonNode ListPrices(ApiRequest q)
    {
        q.Form.Allow("active currency lookup_keys product recurring type " + Lists.PagingParams);
        var active = q.Form.Bool("active");
        var product = q.Form.Str("product");
        var type = q.Form.Str("type");
        var currency = q.Form.Str("currency");
        var lookupKeys = q.Form.StrArray("lookup_keys");
        var items = q.Engine.Store.All("price").Where(p =>
            (active is null || p.Bool("active") == active) &&
            (product is null || p.Str("product") == product) &&
            (type is null || p.Str("type") == type) &&
            (currency is null || p.Str("currency") == currency) &&
            (lookupKeys.Count == 0 || lookupKeys.Contains(p.Str("lookup_key") ?? string.Empty)));
        return Lists.Page(q.Form, items, "/v1/prices");
    }
}
