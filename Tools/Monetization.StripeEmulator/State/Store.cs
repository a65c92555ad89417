using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Http;

namespace Monetization.StripeEmulator.State;

/// <summary>Typed access to <see cref="StateData"/>. Callers hold the engine lock.</summary>
internal sealed class Store
{
    public Store(StateData data) => Data = data;

    public StateData Data { get; private set; }

    public void Reset(StateData data) => Data = data;

    public JsonObject Add(JsonObject obj)
    {
        var id = (string)obj["id"]!;
        Data.Objects[id] = obj;
        Data.Order[id] = ++Data.Sequence;
        return obj;
    }

    public JsonObject? Find(string? id) => id is not null && Data.Objects.TryGetValue(id, out var obj) ? obj : null;

    public JsonObject? Find(string? id, string objectType)
    {
        var obj = Find(id);
        return obj is not null && (string?)obj["object"] == objectType ? obj : null;
    }

    /// <summary>Finds an object or throws Stripe's 404 <c>resource_missing</c>.</summary>
    public JsonObject Require(string? id, string objectType, string param)
    {
        var obj = Find(id, objectType);
        if (obj is null)
        {
            throw ApiException.NoSuch(KindName(objectType), id ?? string.Empty, param);
        }

        return obj;
    }

    public IEnumerable<JsonObject> All(string objectType) =>
        Data.Objects.Values
            .Where(o => (string?)o["object"] == objectType)
            .OrderByDescending(o => Data.Order.GetValueOrDefault((string)o["id"]!));

    public long OrderOf(string id) => Data.Order.GetValueOrDefault(id);

    public JsonObject Internal(string id)
    {
        if (!Data.Internal.TryGetValue(id, out var obj))
        {
            obj = [];
            Data.Internal[id] = obj;
        }

        return obj;
    }

    private static string KindName(string objectType) => objectType switch
    {
        "checkout.session" => "checkout.session",
        "billing_portal.session" => "billing portal session",
        "subscription_item" => "subscription item",
        "invoiceitem" => "invoiceitem",
        "payment_intent" => "payment_intent",
        "transfer_reversal" => "transfer reversal",
        _ => objectType,
    };
}
