using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Events;
using Monetization.StripeEmulator.Forms;

namespace Monetization.StripeEmulator.Api;

/// <summary>One parsed API call, as handed to a route handler (which runs under the engine lock).</summary>
internal sealed class ApiRequest
{
    public ApiRequest(Engine engine, string method, string path, FormNode form, IReadOnlyDictionary<string, string> routeValues, RequestInfo info, string? stripeAccount,
        string apiVersion = Http.ApiVersions.Current)
    {
        ApiVersion = apiVersion;
        Engine = engine;
        Method = method;
        Path = path;
        Form = form;
        RouteValues = routeValues;
        Info = info;
        StripeAccount = stripeAccount;
    }

    public Engine Engine { get; }

    public string Method { get; }

    public string Path { get; }

    public FormNode Form { get; }

    public IReadOnlyDictionary<string, string> RouteValues { get; }

    public RequestInfo Info { get; }

    public string? StripeAccount { get; }

    /// <summary>The request's <c>Stripe-Version</c> (one of <see cref="Http.ApiVersions"/>' accepted versions): decides the request parameters that differ between them.</summary>
    public string ApiVersion { get; }

    public string Id => RouteValues["id"];

    public long Now => Engine.Now;

    public JsonObject Metadata(JsonObject? current = null)
    {
        var update = Form.Map("metadata", out var clearAll);
        var target = new JsonObject { ["metadata"] = current?.DeepClone() ?? new JsonObject() };
        Shapes.Common.ApplyMetadata(target, update, clearAll);
        return (JsonObject)target["metadata"]!.DeepClone();
    }
}
