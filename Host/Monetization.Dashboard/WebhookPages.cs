using Microsoft.AspNetCore.Http;
using Monetization.BuildingBlocks.Http;
using Monetization.Dashboard.Pages;
using Monetization.Webhooks.Features.WebhookDeliveries;
using Monetization.Webhooks.Features.WebhookEndpoints;
using static Monetization.Dashboard.DashboardEndpoints;

namespace Monetization.Dashboard;

/// <summary>
/// Outgoing webhooks (<c>/webhooks</c>, admin like the routes, issue 18 and 19): every endpoint with its state and its 20
/// newest deliveries; an operator enables a disabled endpoint and retries a delivery, through the same requests as
/// <c>PATCH /v1/webhook_endpoints/{id}</c> and <c>POST /v1/webhook_deliveries/{id}/retry</c>.
/// </summary>
internal static class WebhookPages
{
    /// <summary>Deliveries shown per endpoint.</summary>
    public const int DeliveriesShown = 20;

    public static async Task<IResult> ListAsync(HttpContext ctx, ProblemException? problem, int status)
    {
        var (op, denied) = await RequireAsync(ctx, admin: true);
        if (op is null)
        {
            return denied!;
        }

        var endpoints = await SendAsync(ctx, new ListWebhookEndpoints.Request("100", null));
        var shown = new List<EndpointDeliveries>();
        foreach (var endpoint in endpoints.Data)
        {
            var deliveries = await SendAsync(ctx, new ListWebhookDeliveries.Request(endpoint.Id, DeliveriesShown.ToString(System.Globalization.CultureInfo.InvariantCulture), null));
            shown.Add(new EndpointDeliveries(endpoint, deliveries));
        }

        return Render<WebhooksPage>(Frame(ctx, "Webhooks", "webhooks", op, null, problem), new WebhooksModel(shown, endpoints.HasMore), status);
    }

    public static async Task<IResult> EnableAsync(HttpContext ctx, string id)
    {
        var (op, denied) = await RequireAsync(ctx, admin: true);
        if (op is null)
        {
            return denied!;
        }

        try
        {
            await SendAsync(ctx, new UpdateWebhookEndpoint.Request(id, null, null, null, true));
            return Done("/webhooks", $"Enabled {id}: its pending deliveries are sent again.");
        }
        catch (Exception e) when (ProblemOf(e) is { } failed)
        {
            return await ListAsync(ctx, failed, failed.Status);
        }
    }

    public static async Task<IResult> RetryAsync(HttpContext ctx, string id)
    {
        var (op, denied) = await RequireAsync(ctx, admin: true);
        if (op is null)
        {
            return denied!;
        }

        try
        {
            var delivery = await SendAsync(ctx, new RetryWebhookDelivery.Request(id));
            return Done("/webhooks", $"Retrying {delivery.Id} ({delivery.EventType}) now.");
        }
        catch (Exception e) when (ProblemOf(e) is { } failed)
        {
            return await ListAsync(ctx, failed, failed.Status);
        }
    }
}

/// <summary>One endpoint and its newest deliveries.</summary>
/// <param name="Endpoint">As <c>GET /v1/webhook_endpoints/{id}</c> answers it.</param>
/// <param name="Deliveries">As <c>GET /v1/webhook_endpoints/{id}/deliveries?limit=20</c> answers it.</param>
internal sealed record EndpointDeliveries(WebhookEndpointView Endpoint, Page<WebhookDeliveryView> Deliveries);

/// <summary>What the webhooks page shows.</summary>
/// <param name="Endpoints">Every endpoint (the first 100).</param>
/// <param name="MoreEndpoints">Whether more than 100 exist (the API pages them).</param>
internal sealed record WebhooksModel(IReadOnlyList<EndpointDeliveries> Endpoints, bool MoreEndpoints);
