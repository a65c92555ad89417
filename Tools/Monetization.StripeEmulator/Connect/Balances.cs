using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Http;
using Monetization.StripeEmulator.Shapes;
using Monetization.StripeEmulator.State;

namespace Monetization.StripeEmulator.Connect;

/// <summary>Connected accounts' available balances, transfers into them and reversals out of them.</summary>
internal sealed class Balances
{
    private readonly Engine _engine;

    public Balances(Engine engine) => _engine = engine;

    public long Available(string account, string currency) =>
        _engine.Store.Internal(account)["balance"]?[currency.ToLowerInvariant()]?.GetValue<long>() ?? 0;

    public void Set(string account, string currency, long amount)
    {
        var data = _engine.Store.Internal(account);
        if (data["balance"] is not JsonObject balance)
        {
            balance = [];
            data["balance"] = balance;
        }

        balance[currency.ToLowerInvariant()] = amount;
    }

    public JsonObject BalanceObject(string? account)
    {
        var balances = account is null ? null : _engine.Store.Internal(account)["balance"] as JsonObject;
        var available = new JsonArray();
        foreach (var (currency, amount) in balances ?? [])
        {
            available.Add(new JsonObject
            {
                ["amount"] = amount?.GetValue<long>() ?? 0,
                ["currency"] = currency,
                ["source_types"] = new JsonObject { ["card"] = amount?.GetValue<long>() ?? 0 },
            });
        }

        if (available.Count == 0)
        {
            available.Add(new JsonObject { ["amount"] = 0L, ["currency"] = "usd", ["source_types"] = new JsonObject { ["card"] = 0L } });
        }

        return new JsonObject
        {
            ["object"] = "balance",
            ["available"] = available,
            ["livemode"] = false,
            ["pending"] = new JsonArray(new JsonObject { ["amount"] = 0L, ["currency"] = "usd", ["source_types"] = new JsonObject { ["card"] = 0L } }),
        };
    }

    public JsonObject Transfer(string destination, long amount, string currency, string? description, string? sourceTransaction, string? transferGroup, JsonObject metadata)
    {
        _engine.Store.Require(destination, "account", "destination");
        var transfer = ConnectShapes.Transfer(Ids.New("tr"), _engine.Now, amount, currency.ToLowerInvariant(), destination, description, sourceTransaction, transferGroup, metadata);
        _engine.Store.Add(transfer);
        Set(destination, currency, Available(destination, currency) + amount);
        _engine.Events.Emit("transfer.created", transfer);
        return transfer;
    }

    /// <summary>Moves money back from the connected account; fails like Stripe when its available balance is too low.</summary>
    public JsonObject Reverse(JsonObject transfer, long amount, JsonObject metadata, bool enforceBalance = true)
    {
        var remaining = transfer.Long("amount") - transfer.Long("amount_reversed");
        if (amount <= 0 || amount > remaining)
        {
            throw ApiException.Invalid(
                $"You have already reversed {Common.Money(transfer.Long("amount_reversed"), transfer.Str("currency")!)} of this transfer; the reversal amount cannot exceed the remaining {Common.Money(remaining, transfer.Str("currency")!)}.",
                "amount", "transfer_reversal_amount_too_large");
        }

        var destination = transfer.Str("destination")!;
        var currency = transfer.Str("currency")!;
        var available = Available(destination, currency);
        if (enforceBalance && available < amount)
        {
            throw new ApiException(400, "invalid_request_error",
                $"Insufficient funds in the connected account's available balance to reverse this transfer (available: {Common.Money(available, currency)}, needed: {Common.Money(amount, currency)}).",
                "balance_insufficient", "amount");
        }

        var before = (JsonObject)transfer.DeepClone();
        var reversal = ConnectShapes.Reversal(Ids.New("trr"), _engine.Now, amount, currency, transfer.Str("id")!, null, metadata);
        _engine.Store.Add(reversal);
        Set(destination, currency, available - amount);
        transfer["amount_reversed"] = transfer.Long("amount_reversed") + amount;
        transfer["reversed"] = transfer.Long("amount_reversed") >= transfer.Long("amount");
        transfer.Obj("reversals").Arr("data").Insert(0, reversal.DeepClone());
        _engine.Events.Emit("transfer.reversed", transfer, Events.EventRecorder.Diff(before, transfer));
        return reversal;
    }
}
