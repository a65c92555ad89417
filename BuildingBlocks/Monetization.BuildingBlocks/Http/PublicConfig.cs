using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Monetization.BuildingBlocks.Http;

/// <summary>
/// A module's part of <c>GET /v1/config</c> (issue 20): what a frontend needs from that module (prices, packages), never a
/// secret. Each module registers its own (<c>ModuleBuilder.Services.AddScoped&lt;IPublicConfigPart, …&gt;()</c>); the platform
/// route composes them, so no module reads another's settings.
/// </summary>
public interface IPublicConfigPart
{
    /// <summary>The member name in <c>modules</c> (<c>subscriptions</c>, <c>usage</c>).</summary>
    string Name { get; }

    /// <summary>The part, serialized with the API's JSON conventions (snake_case).</summary>
    Task<object> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>The answer of <c>GET /v1/config</c>.</summary>
/// <param name="Stripe">What a browser needs of Stripe.</param>
/// <param name="Modules">Each module's part, by module (<see cref="IPublicConfigPart.Name"/>).</param>
public sealed record PublicConfig(PublicStripeConfig Stripe, IReadOnlyDictionary<string, JsonNode?> Modules);

/// <summary>Stripe's public settings.</summary>
/// <param name="PublishableKey"><c>Stripe:PublishableKey</c> (<c>pk_…</c>, safe in a browser); null when unset or when it is not a publishable key (a secret key configured there by mistake is never shown).</param>
public sealed record PublicStripeConfig(string? PublishableKey);

/// <summary>Builds <see cref="PublicConfig"/> from configuration and every registered <see cref="IPublicConfigPart"/>.</summary>
public static class PublicConfigEndpoint
{
    /// <summary>Handles <c>GET /v1/config</c>.</summary>
    public static async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var services = context.RequestServices;
        var key = services.GetRequiredService<IConfiguration>()["Stripe:PublishableKey"];
        var modules = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var part in services.GetServices<IPublicConfigPart>())
        {
            var value = await part.ReadAsync(context.RequestAborted);
            modules[part.Name] = JsonSerializer.SerializeToNode(value, value.GetType(), ApiJson.Options);
        }

        var config = new PublicConfig(new PublicStripeConfig(key is not null && key.StartsWith("pk_", StringComparison.Ordinal) ? key : null), modules);
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, config, ApiJson.Options, context.RequestAborted);
    }
}
