using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Http;
using Monetization.StripeEmulator.Shapes;
using Monetization.StripeEmulator.State;

namespace Monetization.StripeEmulator.Api;

/// <summary>Connect: <c>/v1/accounts</c>, <c>/v1/account_links</c>, <c>/v1/transfers</c> (+ reversals) and <c>/v1/balance</c>.</summary>
internal static class ConnectApi
{
    public static void Map(Router router)
    {
        router.Post("/v1/accounts", CreateAccount);
        router.Get("/v1/accounts", q => List(q, "account", "/v1/accounts"));
        router.Get("/v1/accounts/{id}", q => Retrieve(q, "account"));
        router.Post("/v1/account_links", CreateLink);
        router.Post("/v1/transfers", CreateTransfer);
        router.Get("/v1/transfers", ListTransfers);
        router.Get("/v1/transfers/{id}", q => Retrieve(q, "transfer"));
        router.Post("/v1/transfers/{id}/reversals", CreateReversal);
        router.Get("/v1/transfers/{id}/reversals", ListReversals);
        router.Get("/v1/balance", Balance);
    }

    private static JsonNode Retrieve(ApiRequest q, string type)
    {
        q.Form.Allow(string.Empty);
        return q.Engine.Store.Require(q.Id, type, type == "account" ? "account" : "id");
    }

    private static JsonNode List(ApiRequest q, string type, string url)
    {
        q.Form.Allow(Lists.PagingParams);
        return Lists.Page(q.Form, q.Engine.Store.All(type), url);
    }

    private static JsonNode CreateAccount(ApiRequest q)
    {
        var form = q.Form;
        form.Allow("account_token business_profile business_type capabilities company controller country default_currency documents email external_account groups individual metadata settings tos_acceptance type");
        var type = form.Str("type") ?? (form.Get("controller")?.Get("stripe_dashboard")?.Str("type") switch
        {
            "full" => "standard",
            "none" => "custom",
            _ => "express",
        });
        if (type is not ("express" or "standard" or "custom"))
        {
            throw ApiException.Invalid("Invalid type: must be one of custom, express, or standard", "type", "parameter_invalid_string");
        }

        var businessType = form.Str("business_type");
        if (businessType is not (null or "individual" or "company" or "non_profit" or "government_entity"))
        {
            throw ApiException.Invalid("Invalid business_type: must be one of company, government_entity, individual, or non_profit", "business_type", "parameter_invalid_string");
        }

        var capabilities = form.Get("capabilities")?.Children.Where(c => c.Value.Bool("requested") == true).Select(c => c.Key).ToList() ?? [];
        var profile = form.Get("business_profile");
        var businessProfile = new JsonObject
        {
            ["annual_revenue"] = null,
            ["estimated_worker_count"] = null,
            ["mcc"] = profile?.Str("mcc"),
            ["minority_owned_business_designation"] = null,
            ["name"] = profile?.Str("name"),
            ["product_description"] = profile?.Str("product_description"),
            ["support_address"] = null,
            ["support_email"] = profile?.Str("support_email"),
            ["support_phone"] = profile?.Str("support_phone"),
            ["support_url"] = profile?.Str("support_url"),
            ["url"] = profile?.Str("url"),
        };
        var account = ConnectShapes.Account(Ids.New("acct", 16), q.Now, type, form.Str("country") ?? "US", form.Str("email"), businessType, capabilities,
            q.Metadata(), businessProfile);
        q.Engine.Store.Add(account);
        return account;
    }

    private static JsonNode CreateLink(ApiRequest q)
    {
        var form = q.Form;
        form.Allow("account collect collection_options refresh_url return_url type");
        var accountId = form.Str("account") is { Length: > 0 } a ? a : throw ApiException.Missing("account");
        var type = form.Str("type") is { Length: > 0 } t ? t : throw ApiException.Missing("type");
        if (type is not ("account_onboarding" or "account_update"))
        {
            throw ApiException.Invalid("Invalid type: must be one of account_onboarding or account_update", "type", "parameter_invalid_string");
        }

        var account = q.Engine.Store.Require(accountId, "account", "account");
        return q.Engine.Onboarding.CreateLink(account, type, form.Str("refresh_url"), form.Str("return_url"));
    }

    private static JsonNode CreateTransfer(ApiRequest q)
    {
        var form = q.Form;
        form.Allow("amount currency description destination metadata source_transaction source_type transfer_group");
        var currency = form.RequireStr("currency").ToLowerInvariant();
        var destination = form.RequireStr("destination");
        var amount = form.Long("amount") ?? throw ApiException.Missing("amount");
        if (amount <= 0)
        {
            throw ApiException.Invalid("Invalid positive integer", "amount", "parameter_invalid_integer");
        }

        if (form.Str("source_transaction") is { Length: > 0 } source)
        {
            q.Engine.Store.Require(source, "charge", "source_transaction");
        }

        return q.Engine.Balances.Transfer(destination, amount, currency, form.Str("description"), form.Str("source_transaction"), form.Str("transfer_group"), q.Metadata());
    }

    private static JsonNode ListTransfers(ApiRequest q)
    {
        q.Form.Allow("destination transfer_group " + Lists.PagingParams);
        var destination = q.Form.Str("destination");
        var group = q.Form.Str("transfer_group");
        return Lists.Page(q.Form, q.Engine.Store.All("transfer").Where(t =>
            (destination is null || t.Str("destination") == destination) && (group is null || t.Str("transfer_group") == group)), "/v1/transfers");
    }

    private static JsonNode CreateReversal(ApiRequest q)
    {
        q.Form.Allow("amount description metadata refund_application_fee");
        var transfer = q.Engine.Store.Require(q.Id, "transfer", "id");
        var amount = q.Form.Long("amount") ?? (transfer.Long("amount") - transfer.Long("amount_reversed"));
        return q.Engine.Balances.Reverse(transfer, amount, q.Metadata());
    }

    private static JsonNode ListReversals(ApiRequest q)
    {
        q.Form.Allow(Lists.PagingParams);
        var transfer = q.Engine.Store.Require(q.Id, "transfer", "id");
        return Lists.Page(q.Form, q.Engine.Store.All("transfer_reversal").Where(r => r.Str("transfer") == transfer.Str("id")), $"/v1/transfers/{q.Id}/reversals");
    }

    private static JsonNode Balance(ApiRequest q)
    {
        q.Form.Allow(string.Empty);
        if (q.StripeAccount is not null)
        {
            q.Engine.Store.Require(q.StripeAccount, "account", "Stripe-Account");
        }

        return q.Engine.Balances.BalanceObject(q.StripeAccount);
    }
}
