using Carter;
using Microsoft.AspNetCore.Routing;
using Monetization.BuildingBlocks.Http;
using Monetization.Marketplace.Features.Developers;
using Monetization.Marketplace.Features.Earnings;
using Monetization.Marketplace.Features.Installs;
using Monetization.Marketplace.Features.Overview;
using Monetization.Marketplace.Features.Payouts;
using Monetization.Marketplace.Features.Plugins;

namespace Monetization.Marketplace;

/// <summary>The Marketplace module's routes: each maps one request to one feature slice.</summary>
internal sealed class MarketplaceRoutes : ICarterModule
{
    /// <summary>Declares every route of the module; Carter calls it once at start.</summary>
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var api = app.MapApi("Marketplace");
        api.Post<RegisterDeveloper.Request, DeveloperResponse>("/v1/marketplace/developers", (ctx, body) => body,
            new ApiRoute("Register a developer") { Status = 201, Problems = [409, 422] });
        api.Get("/v1/marketplace/developers/{id}", ctx => new GetDeveloper.Request(ctx.Route("id")),
            new ApiRoute("Get a developer") { Problems = [404] });
        api.PostEmpty("/v1/marketplace/developers/{id}/onboarding", ctx => new StartOnboarding.Request(ctx.Route("id")),
            new ApiRoute("Start or resume Stripe Connect onboarding: a fresh account link") { Problems = [404, 502, 503] });
        api.Get("/v1/marketplace/developers/{id}/earnings", ctx => new GetEarnings.Request(ctx.Route("id"), ctx.Query("period")),
            new ApiRoute("A developer's earnings in a period, per currency and plugin")
            {
                Problems = [404, 422],
                Query = [new ApiParameter("period", "YYYY-MM, default the current UTC month")],
            });

        api.Get("/v1/marketplace/developers/{id}/revenue_events", ctx => new ListRevenueEvents.Request(ctx.Route("id"), ctx.Query("period"), ctx.Query("limit"), ctx.Query("starting_after")),
            new ApiRoute("The revenue events behind a developer's earnings, newest first (paged)")
            {
                Problems = [404, 422],
                Query = [new ApiParameter("period", "YYYY-MM; default every period"), .. Paging.QueryParameters("revenue event id")],
            });

        api.Post<PublishPlugin.Request, PluginResponse>("/v1/marketplace/plugins", (ctx, body) => body,
            new ApiRoute("Publish a plugin") { Status = 201, Problems = [409, 422, 502, 503] });
        api.Get("/v1/marketplace/plugins", ctx => new ListPlugins.Request(ctx.Query("q"), ctx.Query("developer_id"), ctx.Query("model"),
                ctx.Query("status"), ctx.Query("sort"), ctx.Query("limit"), ctx.Query("starting_after")),
            new ApiRoute("Search the plugin catalog")
            {
                Problems = [422],
                Query =
                [
                    new ApiParameter("q", "Text in name, slug or description"),
                    new ApiParameter("developer_id", "Only this developer's plugins"),
                    new ApiParameter("model", "free, one_time, monthly or usage"),
                    new ApiParameter("status", "active (default), archived or all"),
                    new ApiParameter("sort", "installs (default, most first) or name"),
                    .. Paging.QueryParameters("plugin id"),
                ],
            });
        api.Get("/v1/marketplace/plugins/{id}", ctx => new GetPlugin.Request(ctx.Route("id")),
            new ApiRoute("Get a plugin") { Problems = [404] });
        api.Patch<UpdatePlugin.Body, PluginResponse>("/v1/marketplace/plugins/{id}",
            (ctx, body) => new UpdatePlugin.Request(ctx.Route("id"), body.Name, body.Description, body.Pricing),
            new ApiRoute("Change a plugin's name, description or price") { Problems = [404, 409, 422, 502, 503] });
        api.PostEmpty("/v1/marketplace/plugins/{id}/archive", ctx => new ArchivePlugin.Request(ctx.Route("id")),
            new ApiRoute("Archive a plugin (no new installs)") { Problems = [404] });

        api.Post<InstallPlugin.Body, InstallResponse>("/v1/marketplace/plugins/{id}/installs",
            (ctx, body) => new InstallPlugin.Request(ctx.Route("id"), body.UserId),
            new ApiRoute("Install a plugin for a user") { Status = 201, Problems = [404, 409, 422, 502, 503] });
        api.Delete("/v1/marketplace/plugins/{id}/installs/{user_id}", ctx => new UninstallPlugin.Request(ctx.Route("id"), ctx.Route("user_id")),
            new ApiRoute("Uninstall a plugin for a user") { Problems = [404, 422, 502, 503] });
        api.Get("/v1/marketplace/users/{user_id}/installs", ctx => new ListUserInstalls.Request(ctx.Route("user_id"), ctx.Query("status"), ctx.Query("limit"), ctx.Query("starting_after")),
            new ApiRoute("A user's installs")
            {
                Problems = [422],
                Query = [new ApiParameter("status", "Live installs by default; active, pending, pending_payment, uninstalled or all"), .. Paging.QueryParameters("install id")],
            });

        api.Get("/v1/metrics/marketplace", ctx => new GetMarketplaceMetrics.Request(ctx.Query("period")),
            new ApiRoute("The marketplace in a period: totals per currency, developers with onboarding state and balance, carried debts")
            {
                Problems = [422],
                Query = [new ApiParameter("period", "YYYY-MM, default the current UTC month")],
            });

        api.Post<RunPayouts.Request, RunPayouts.Response>("/v1/marketplace/payouts", (ctx, body) => body,
            new ApiRoute("Run the payouts of a period (idempotent)") { Problems = [422] });
        api.Get("/v1/marketplace/payouts", ctx => new ListPayouts.Request(ctx.Query("developer_id"), ctx.Query("status"), ctx.Query("limit"), ctx.Query("starting_after")),
            new ApiRoute("List payouts")
            {
                Problems = [422],
                Query =
                [
                    new ApiParameter("developer_id", "Only this developer's payouts"),
                    new ApiParameter("status", "pending or paid"),
                    .. Paging.QueryParameters("payout id"),
                ],
            });
    }
}
