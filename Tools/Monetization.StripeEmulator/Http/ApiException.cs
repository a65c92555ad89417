using System.Text.Json.Nodes;

namespace Monetization.StripeEmulator.Http;

/// <summary>A Stripe error response: HTTP status plus the fields of Stripe's error object.</summary>
internal sealed class ApiException : Exception
{
    public ApiException(int status, string type, string message, string? code = null, string? param = null)
        : base(message)
    {
        Status = status;
        Type = type;
        Code = code;
        Param = param;
    }

    public int Status { get; }

    public string Type { get; }

    public string? Code { get; }

    public string? Param { get; }

    public string? DeclineCode { get; init; }

    public string? Charge { get; init; }

    public string? PaymentIntent { get; init; }

    public static ApiException Invalid(string message, string? param, string? code = null) =>
        new(400, "invalid_request_error", message, code, param);

    public static ApiException Missing(string param) =>
        new(400, "invalid_request_error", $"Missing required param: {param}.", "parameter_missing", param);

    public static ApiException Unknown(string param) =>
        new(400, "invalid_request_error", $"Received unknown parameter: {param}", "parameter_unknown", param);

    public static ApiException NoSuch(string kind, string id, string param) =>
        new(404, "invalid_request_error", $"No such {kind}: '{id}'", "resource_missing", param);

    public JsonObject ToJson(string requestId, long now)
    {
        var error = new JsonObject();
        if (Charge is not null)
        {
            error["charge"] = Charge;
        }

        if (Code is not null)
        {
            error["code"] = Code;
        }

        if (DeclineCode is not null)
        {
            error["decline_code"] = DeclineCode;
        }

        if (Code is not null)
        {
            error["doc_url"] = "https://stripe.com/docs/error-codes/" + Code.Replace('_', '-');
        }

        error["message"] = Message;
        if (Param is not null)
        {
            error["param"] = Param;
        }

        if (PaymentIntent is not null)
        {
            error["payment_intent"] = new JsonObject { ["id"] = PaymentIntent, ["object"] = "payment_intent" }; // Stripe sends the PaymentIntent object here; Stripe.net binds it as one
        }

        error["request_log_url"] = $"https://dashboard.stripe.com/test/logs/{requestId}?t={now}";
        error["type"] = Type;
        return new JsonObject { ["error"] = error };
    }
}
