using Carter;
using Microsoft.AspNetCore.Routing;
using Monetization.BuildingBlocks.Http;
using Monetization.Webhooks.Features.WebhookDeliveries;
using Monetization.Webhooks.Features.WebhookEndpoints;

namespace Monetization.Webhooks;

/// <summary>The Webhooks module's routes (admin scope, issue 18): each maps one request to one feature slice.</summary>
internal sealed class WebhooksRoutes : ICarterModule
{
    /// <summary>Declares every route of the module; Carter calls it once at start.</summary>
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var api = app.MapApi("Webhooks");
        api.Post<CreateWebhookEndpoint.Body, CreateWebhookEndpoint.Response>("/v1/webhook_endpoints", (_, body) => body.ToRequest(),
            new ApiRoute("Register an endpoint for outgoing webhooks; the answer shows its signing secret once") { Status = 201, Problems = [422] });
        api.Get("/v1/webhook_endpoints", ctx => new ListWebhookEndpoints.Request(ctx.Query("limit"), ctx.Query("starting_after")),
            new ApiRoute("Webhook endpoints, oldest first") { Scope = ApiScope.Admin, Query = Paging.QueryParameters("endpoint id"), Problems = [422] });
        api.Get("/v1/webhook_endpoints/{id}", ctx => new GetWebhookEndpoint.Request(ctx.Route("id")),
            new ApiRoute("One webhook endpoint (without its secret)") { Scope = ApiScope.Admin, Problems = [404, 422] });
        api.Patch<UpdateWebhookEndpoint.Body, WebhookEndpointView>("/v1/webhook_endpoints/{id}", (ctx, body) => body.ToRequest(ctx.Route("id")),
            new ApiRoute("Change an endpoint's url, event types or description, or enable / disable it") { Problems = [404, 422] });
        api.Delete("/v1/webhook_endpoints/{id}", ctx => new DeleteWebhookEndpoint.Request(ctx.Route("id")),
            new ApiRoute("Delete an endpoint and its deliveries") { Problems = [404, 422] });
        api.PostEmpty("/v1/webhook_endpoints/{id}/rotate_secret", ctx => new RotateWebhookSecret.Request(ctx.Route("id")),
            new ApiRoute("A new signing secret; the old one signs too for 24 hours") { Problems = [404, 422] });
        api.Get("/v1/webhook_endpoints/{id}/deliveries", ctx => new ListWebhookDeliveries.Request(ctx.Route("id"), ctx.Query("limit"), ctx.Query("starting_after")),
            new ApiRoute("An endpoint's deliveries, newest first: status, attempts, last answer, next attempt") { Scope = ApiScope.Admin, Query = Paging.QueryParameters("delivery id"), Problems = [404, 422] });
        api.PostEmpty("/v1/webhook_deliveries/{id}/retry", ctx => new RetryWebhookDelivery.Request(ctx.Route("id")),
            new ApiRoute("Send a delivery again now") { Problems = [404, 409, 422] });
    }
}
