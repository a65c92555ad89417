using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Http;
using Monetization.StripeEmulator.Shapes;
using Monetization.StripeEmulator.State;

namespace Monetization.StripeEmulator.Billing;

/// <summary>What to charge.</summary>
internal sealed record PaymentRequest(
    long Amount,
    string Currency,
    string? Customer,
    string PaymentMethod,
    bool OffSession,
    string? Description,
    JsonObject Metadata,
    long? ApplicationFee = null,
    JsonObject? TransferData = null,
    string? TransferGroup = null,
    JsonObject? ExistingIntent = null,
    string? Email = null);

/// <summary>The outcome of a charge attempt; <see cref="Error"/> is the card error when declined.</summary>
internal sealed record PaymentResult(JsonObject Intent, JsonObject Charge, ApiException? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>Payment methods, payment intents and charges with test-card behaviour.</summary>
internal sealed class Payments
{
    private readonly Engine _engine;

    public Payments(Engine engine) => _engine = engine;

    public JsonObject CreatePaymentMethod(TestCard card, string? customer, string? email)
    {
        var pm = PaymentShapes.PaymentMethod(Ids.New("pm"), _engine.Now, customer, card.Brand, card.Last4, email);
        _engine.Store.Add(pm);
        _engine.Store.Internal(pm.Str("id")!)["card_number"] = card.Number;
        return pm;
    }

    public TestCard CardOf(string paymentMethodId)
    {
        var number = _engine.Store.Internal(paymentMethodId).Str("card_number");
        return TestCard.Resolve(number ?? "4242424242424242");
    }

    public PaymentResult Charge(PaymentRequest request)
    {
        var store = _engine.Store;
        var now = _engine.Now;
        var card = CardOf(request.PaymentMethod);
        var intent = request.ExistingIntent;
        if (intent is null)
        {
            intent = PaymentShapes.PaymentIntent(Ids.New("pi"), now, request.Amount, request.Currency, request.Customer, request.PaymentMethod,
                request.Description, request.Metadata, request.ApplicationFee, request.TransferData, request.TransferGroup);
            store.Add(intent);
        }

        var declined = card.Declines(request.OffSession);
        var charge = PaymentShapes.Charge(Ids.New("ch"), now, request.Amount, request.Currency, request.Customer, intent.Str("id")!, request.PaymentMethod,
            card.Brand, card.Last4, request.Email, request.Description, (JsonObject)request.Metadata.DeepClone(), request.ApplicationFee,
            request.TransferData, request.TransferGroup,
            declined ? card.Code : null, declined ? card.Message : null, declined ? card.DeclineCode : null);
        store.Add(charge);
        intent["payment_method"] = request.PaymentMethod;
        intent["latest_charge"] = charge.Str("id");

        if (declined)
        {
            var error = new ApiException(402, "card_error", card.Message, card.Code)
            {
                DeclineCode = card.DeclineCode,
                Charge = charge.Str("id"),
                PaymentIntent = intent.Str("id"),
            };
            intent["status"] = "requires_payment_method";
            intent["last_payment_error"] = new JsonObject
            {
                ["charge"] = charge.Str("id"),
                ["code"] = card.Code,
                ["decline_code"] = card.DeclineCode,
                ["doc_url"] = "https://stripe.com/docs/error-codes/" + card.Code.Replace('_', '-'),
                ["message"] = card.Message,
                ["payment_method"] = store.Find(request.PaymentMethod)?.DeepClone(),
                ["type"] = "card_error",
            };
            _engine.Events.Emit("charge.failed", charge);
            _engine.Events.Emit("payment_intent.payment_failed", intent);
            return new PaymentResult(intent, charge, error);
        }

        intent["status"] = "succeeded";
        intent["amount_received"] = request.Amount;
        intent["last_payment_error"] = null;
        _engine.Events.Emit("charge.succeeded", charge);
        _engine.Events.Emit("payment_intent.succeeded", intent);

        var destination = request.TransferData.Str("destination");
        if (destination is not null)
        {
            var amount = request.TransferData.LongOrNull("amount") ?? (request.Amount - (request.ApplicationFee ?? 0));
            var transfer = _engine.Balances.Transfer(destination, amount, request.Currency, null, charge.Str("id"), request.TransferGroup ?? "group_" + intent.Str("id"), []);
            charge["transfer"] = transfer.Str("id");
        }

        return new PaymentResult(intent, charge, null);
    }

    /// <summary>Refunds part or all of a charge; updates the charge and emits <c>charge.refunded</c>.</summary>
    public JsonObject Refund(JsonObject charge, long? amount, string? reason, bool reverseTransfer, JsonObject metadata)
    {
        var remaining = charge.Long("amount_captured") - charge.Long("amount_refunded");
        if (charge.Str("status") != "succeeded")
        {
            throw ApiException.Invalid($"Charge {charge.Str("id")} has not succeeded and cannot be refunded.", "charge", "charge_not_refundable");
        }

        if (remaining <= 0)
        {
            throw ApiException.Invalid($"Charge {charge.Str("id")} has already been refunded.", "charge", "charge_already_refunded");
        }

        var value = amount ?? remaining;
        if (value <= 0 || value > remaining)
        {
            throw ApiException.Invalid(
                $"Refund amount ({Common.Money(value, charge.Str("currency")!)}) is greater than unrefunded amount on charge ({Common.Money(remaining, charge.Str("currency")!)})",
                "amount", "amount_too_large");
        }

        string? reversalId = null;
        var transferId = charge.Str("transfer");
        if (reverseTransfer && transferId is not null && _engine.Store.Find(transferId, "transfer") is { } transfer)
        {
            var share = charge.Long("amount") == 0 ? 0 : transfer.Long("amount") * value / charge.Long("amount");
            share = Math.Min(share, transfer.Long("amount") - transfer.Long("amount_reversed"));
            if (share > 0)
            {
                reversalId = _engine.Balances.Reverse(transfer, share, [], enforceBalance: false).Str("id");
            }
        }

        var before = (JsonObject)charge.DeepClone();
        var refund = PaymentShapes.Refund(Ids.New("re"), _engine.Now, value, charge.Str("currency")!, charge.Str("id")!, charge.Str("payment_intent"),
            charge.Str("customer"), reason, reversalId, metadata);
        _engine.Store.Add(refund);
        charge["amount_refunded"] = charge.Long("amount_refunded") + value;
        charge["refunded"] = charge.Long("amount_refunded") >= charge.Long("amount");
        var refunds = charge.Obj("refunds");
        var data = refunds.Arr("data");
        data.Insert(0, refund.DeepClone());
        _engine.Events.Emit("charge.refunded", charge, EventsDiff(before, charge));
        _engine.Events.Emit("refund.created", refund);
        return refund;
    }

    private static JsonObject EventsDiff(JsonObject before, JsonObject after) => Monetization.StripeEmulator.Events.EventRecorder.Diff(before, after);
}
