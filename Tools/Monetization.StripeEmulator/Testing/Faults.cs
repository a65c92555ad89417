using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Http;

namespace Monetization.StripeEmulator.Testing;

/// <summary>Fault injection: the next <c>count</c> API requests matching a method and path prefix fail with a Stripe error.</summary>
internal sealed class Faults
{
    private readonly object _lock = new();
    private readonly List<Rule> _rules = [];

    public void Add(string? method, string pathPrefix, int status, int count, string? type, string? code, string? message)
    {
        lock (_lock)
        {
            _rules.Add(new Rule(method?.ToUpperInvariant(), pathPrefix, status, type, code, message) { Remaining = count });
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _rules.Clear();
        }
    }

    public JsonArray Describe()
    {
        lock (_lock)
        {
            return new JsonArray(_rules.Select(r => (JsonNode)new JsonObject
            {
                ["method"] = r.Method,
                ["path_prefix"] = r.PathPrefix,
                ["status"] = r.Status,
                ["remaining"] = r.Remaining,
                ["type"] = r.Type,
                ["code"] = r.Code,
            }).ToArray());
        }
    }

    /// <summary>Consumes one matching fault, returning the error to answer with.</summary>
    public ApiException? TryTake(string method, string path)
    {
        lock (_lock)
        {
            var rule = _rules.FirstOrDefault(r => r.Remaining > 0 &&
                (r.Method is null || r.Method == method.ToUpperInvariant()) &&
                path.StartsWith(r.PathPrefix, StringComparison.Ordinal));
            if (rule is null)
            {
                return null;
            }

            rule.Remaining--;
            _rules.RemoveAll(r => r.Remaining <= 0);
            var (type, code, message) = rule.Status switch
            {
                402 => ("card_error", "card_declined", "Your card was declined."),
                409 => ("idempotency_error", "lock_timeout", "This object cannot be accessed right now because another API request or Stripe process is currently accessing it."),
                429 => ("invalid_request_error", "rate_limit", "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits."),
                >= 500 => ("api_error", (string?)null, "An unknown error occurred"),
                _ => ("invalid_request_error", (string?)null, "Injected fault"),
            };
            return new ApiException(rule.Status, rule.Type ?? type, rule.Message ?? message, rule.Code ?? code);
        }
    }

    private sealed record Rule(string? Method, string PathPrefix, int Status, string? Type, string? Code, string? Message)
    {
        public int Remaining { get; set; }
    }
}
