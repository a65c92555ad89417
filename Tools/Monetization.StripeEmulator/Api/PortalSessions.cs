using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Http;
using Monetization.StripeEmulator.Shapes;
using Monetization.StripeEmulator.State;

namespace Monetization.StripeEmulator.Api;

/// <summary><c>/v1/billing_portal/sessions</c>: create a hosted portal session.</summary>
internal static class PortalSessions
{
    public const string ConfigurationId = "bpc_1EmulatorDefaultConfig0";

    public static void Map(Router router) => router.Post("/v1/billing_portal/sessions", Create);

    private static JsonNode Create(ApiRequest q)
    {
        q.Form.Allow("after_expiration configuration customer customer_account flow_data locale on_behalf_of return_url");
        var customerId = q.Form.Str("customer");
        if (string.IsNullOrEmpty(customerId))
        {
            throw ApiException.Missing("customer");
        }

        q.Engine.Store.Require(customerId, "customer", "customer");
        var id = Ids.New("bps");
        var flow = q.Form.Get("flow_data");
        JsonObject? flowJson = null;
        if (flow is not null)
        {
            var type = flow.RequireStr("type");
            flowJson = new JsonObject
            {
                ["after_completion"] = new JsonObject
                {
                    ["hosted_confirmation"] = null,
                    ["redirect"] = flow.Get("after_completion")?.Get("redirect") is { } redirect ? new JsonObject { ["return_url"] = redirect.Str("return_url") } : null,
                    ["type"] = flow.Get("after_completion")?.Str("type") ?? "portal_homepage",
                },
                ["subscription_cancel"] = flow.Get("subscription_cancel") is { } cancel ? new JsonObject { ["retention"] = null, ["subscription"] = cancel.Str("subscription") } : null,
                ["subscription_update"] = flow.Get("subscription_update") is { } update ? new JsonObject { ["subscription"] = update.Str("subscription") } : null,
                ["subscription_update_confirm"] = null,
                ["type"] = type,
            };
        }

        var session = CheckoutShapes.PortalSession(id, q.Now, customerId, q.Form.Str("return_url"), $"{q.Engine.PublicBaseUrl}/portal/{id}",
            q.Form.Str("configuration") is { Length: > 0 } configuration ? configuration : ConfigurationId, q.Form.Str("locale"), flowJson);
        q.Engine.Store.Add(session);
        return session;
    }
}
