using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Shapes;
using Monetization.StripeEmulator.State;

namespace Monetization.StripeEmulator.Connect;

/// <summary>Account links and completing Connect onboarding.</summary>
internal sealed class Onboarding
{
    private readonly Engine _engine;

    public Onboarding(Engine engine) => _engine = engine;

    public JsonObject CreateLink(JsonObject account, string type, string? refreshUrl, string? returnUrl)
    {
        var token = Ids.Random(24);
        var now = _engine.Now;
        var link = ConnectShapes.AccountLink(now, now + 300, $"{_engine.PublicBaseUrl}/connect/onboarding/{token}");
        _engine.Store.Internal("link_" + token)["data"] = new JsonObject
        {
            ["account"] = account.Str("id"),
            ["type"] = type,
            ["refresh_url"] = refreshUrl,
            ["return_url"] = returnUrl,
            ["expires_at"] = now + 300,
        };
        return link;
    }

    public JsonObject? Link(string token) => _engine.Store.Data.Internal.TryGetValue("link_" + token, out var data) ? data["data"] as JsonObject : null;

    public JsonObject Complete(JsonObject account)
    {
        if (account.Bool("details_submitted") && account.Bool("charges_enabled"))
        {
            return account;
        }

        var before = (JsonObject)account.DeepClone();
        account["details_submitted"] = true;
        account["charges_enabled"] = true;
        account["payouts_enabled"] = true;
        account["requirements"] = ConnectShapes.Requirements([], null);
        var capabilities = account.Obj("capabilities");
        foreach (var key in capabilities.Select(kv => kv.Key).ToList())
        {
            capabilities[key] = "active";
        }

        if (capabilities.Count == 0)
        {
            capabilities["card_payments"] = "active";
            capabilities["transfers"] = "active";
        }

        account["tos_acceptance"] = new JsonObject { ["date"] = _engine.Now, ["ip"] = "127.0.0.1", ["user_agent"] = "Monetization.StripeEmulator" };
        _engine.Events.EmitUpdated("account.updated", before, account, account.Str("id"));
        return account;
    }
}
