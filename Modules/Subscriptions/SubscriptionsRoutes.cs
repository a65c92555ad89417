using Carter;
using Microsoft.AspNetCore.Routing;
using Monetization.BuildingBlocks.Http;
using Monetization.Subscriptions.Domain;
using Monetization.Subscriptions.Features.CancelSubscription;
using Monetization.Subscriptions.Features.ChangePlan;
using Monetization.Subscriptions.Features.GetStripeEvent;
using Monetization.Subscriptions.Features.GetSubscription;
using Monetization.Subscriptions.Features.GetSubscriptionMetrics;
using Monetization.Subscriptions.Features.ListPlans;
using Monetization.Subscriptions.Features.ListStripeEvents;
using Monetization.Subscriptions.Features.OpenPortal;
using Monetization.Subscriptions.Features.Reconcile;
using Monetization.Subscriptions.Features.ReplayStripeEvent;
using Monetization.Subscriptions.Features.ResumeSubscription;
using Monetization.Subscriptions.Features.StartCheckout;
using Monetization.Subscriptions.Features.ReceiveStripeWebhook;

namespace Monetization.Subscriptions;

/// <summary>The Subscriptions module's routes: each maps one request to one feature slice.</summary>
internal sealed class SubscriptionsRoutes : ICarterModule
{
    /// <summary>Declares every route of the module; Carter calls it once at start.</summary>
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var api = app.MapApi("Subscriptions");
        api.Get("/v1/plans", _ => new ListPlans.Request(), new ApiRoute("List the plans catalog") { Scope = ApiScope.Anonymous });
        api.Post<StartCheckout.Body, StartCheckout.Response>("/v1/subscriptions/checkout", (_, body) => body.ToRequest(), new ApiRoute("Start a Stripe Checkout for a paid plan") { Problems = [409, 422, 502, 503] });
        api.Post<OpenPortal.Body, OpenPortal.Response>("/v1/subscriptions/portal", (_, body) => body.ToRequest(), new ApiRoute("Open the Stripe customer portal") { Problems = [404, 422, 502, 503] });
        api.PostEmpty("/v1/subscriptions/reconcile", _ => new Reconcile.Request(), new ApiRoute("Re-sync live subscriptions from Stripe and report drift"));
        api.Get("/v1/subscriptions/{user_id}", ctx => new GetSubscription.Request(ctx.Route("user_id")), new ApiRoute("A user's subscription and effective access") { Problems = [422] });
        api.Post<CancelSubscription.Body, SubscriptionChangeRequested>(
            "/v1/subscriptions/{user_id}/cancel",
            (ctx, body) => new CancelSubscription.Request(ctx.Route("user_id"), body.AtPeriodEnd),
            new ApiRoute("Cancel at the period end or now (confirmed by webhook)") { Status = 202, Problems = [404, 409, 422, 502, 503] });
        api.PostEmpty("/v1/subscriptions/{user_id}/resume", ctx => new ResumeSubscription.Request(ctx.Route("user_id")), new ApiRoute("Undo a scheduled cancellation") { Status = 202, Problems = [404, 409, 422, 502, 503] });
        api.Post<ChangePlan.Body, SubscriptionChangeRequested>(
            "/v1/subscriptions/{user_id}/change_plan",
            (ctx, body) => new ChangePlan.Request(ctx.Route("user_id"), body.Plan ?? "", body.Cadence ?? "", body.ProrationBehavior ?? "create_prorations"),
            new ApiRoute("Move the subscription to another plan or cadence") { Status = 202, Problems = [404, 409, 422, 502, 503] });
        api.Raw("POST", "/v1/webhooks/stripe", ReceiveStripeWebhook.HandleAsync, new ApiRoute("Stripe webhook (Stripe-Signature verified)") { Scope = ApiScope.Anonymous, Problems = [400, 413] }, response: typeof(ReceiveStripeWebhook.Response));
        api.Get(
            "/v1/stripe_events",
            ctx => new ListStripeEvents.Request(ctx.Query("status"), ctx.Query("type"), ctx.Query("limit"), ctx.Query("starting_after")),
            new ApiRoute("List stored Stripe events")
            {
                Scope = ApiScope.Admin,
                Query = [new ApiParameter("status", "received|processed|ignored|failed"), new ApiParameter("type", "Stripe event type"), .. Paging.QueryParameters("Stripe event id")],
                Problems = [422],
            });
        api.Get("/v1/stripe_events/{id}", ctx => new GetStripeEvent.Request(ctx.Route("id")),
            new ApiRoute("A stored Stripe event with its payload as received") { Scope = ApiScope.Admin, Problems = [404, 422] });
        api.Get("/v1/metrics/subscriptions", _ => new GetSubscriptionMetrics.Request(),
            new ApiRoute("Subscribers by plan and status, MRR now and over 12 months, users in grace, failed payments of the last 7 days"));
        api.PostEmpty("/v1/stripe_events/{id}/replay", ctx => new ReplayStripeEvent.Request(ctx.Route("id")), new ApiRoute("Process a stored Stripe event again") { Problems = [404, 409, 422] });
    }
}
