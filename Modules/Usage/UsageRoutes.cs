using Carter;
using Microsoft.AspNetCore.Routing;
using Monetization.BuildingBlocks.Http;
using Monetization.Usage.Features.AcquireQuota;
using Monetization.Usage.Features.CheckUsage;
using Monetization.Usage.Features.GetConsumption;
using Monetization.Usage.Features.GetCredits;
using Monetization.Usage.Features.GetUsageMetrics;
using Monetization.Usage.Features.GrantCredits;
using Monetization.Usage.Features.IngestLiteLlmUsage;
using Monetization.Usage.Features.IngestUsageEvents;
using Monetization.Usage.Features.ListCreditGrants;
using Monetization.Usage.Features.ListCreditLedger;
using Monetization.Usage.Features.GetUsageSummary;
using Monetization.Usage.Features.ListQuotas;
using Monetization.Usage.Features.ListUsageEvents;
using Monetization.Usage.Features.ListUsageInvoices;
using Monetization.Usage.Features.ReleaseQuota;
using Monetization.Usage.Features.RunUsageInvoices;
using Monetization.Usage.Features.StartCreditCheckout;
using Monetization.Usage.Features.StartSlotCheckout;
using Monetization.Usage.Features.VoidUsageInvoice;

namespace Monetization.Usage;

/// <summary>The Usage module's routes: each maps one request to one feature slice.</summary>
internal sealed class UsageRoutes : ICarterModule
{
    /// <summary>Declares every route of the module; Carter calls it once at start.</summary>
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var api = app.MapApi("Usage");
        api.PostParsed<IngestUsageEvents.Body, IngestUsageEvents.Response>("/v1/usage/events", UsageBatchJson.Parse, (_, body) => body.ToRequest(),
            new ApiRoute("Ingest 1 to 1,000 usage events (idempotent by event_id, all or nothing)") { Status = 202, Scope = ApiScope.UsageWrite, Problems = [400, 422] });
        api.PostParsed<IngestLiteLlmUsage.Body, IngestLiteLlmUsage.Response>("/v1/usage/integrations/litellm", LiteLlmPayloadJson.Parse, (_, body) => body.ToRequest(),
            new ApiRoute("Ingest LiteLLM generic logger payloads (StandardLoggingPayload; array, single or NDJSON) as token usage, idempotent by LiteLLM call id")
            {
                Status = 202,
                Scope = ApiScope.UsageWrite,
                Problems = [400, 422],
            });
        api.Get("/v1/usage/{user_id}/consumption", ctx => new GetConsumption.Request(ctx.Route("user_id"), ctx.Query("month")),
            new ApiRoute("A user's consumption per meter for a month, with limits, cost so far and alerts (X-Billing-Alert)")
            {
                Query = [new ApiParameter("month", "YYYY-MM, default the current month (UTC)")],
                Problems = [422],
            });
        api.Post<CheckUsage.Body, CheckUsage.Response>("/v1/usage/{user_id}/check", (ctx, body) => body.ToRequest(ctx.Route("user_id")),
            new ApiRoute("Ask whether a quantity of a meter may be used now (denied at the hard limit)") { Scope = ApiScope.Read, Problems = [422] });
        api.Get("/v1/usage/{user_id}/quotas", ctx => new ListQuotas.Request(ctx.Route("user_id")),
            new ApiRoute("A user's quotas of countable resources (projects, deploys): held, limit, extra slots"));
        api.Post<AcquireQuota.Body, AcquireQuota.Response>("/v1/usage/{user_id}/quotas/{resource}/acquire", (ctx, body) => body.ToRequest(ctx.Route("user_id"), ctx.Route("resource")),
            new ApiRoute("Hold one unit of a resource under a key (idempotent by key); 409 when the quota is full") { Problems = [409, 422] });
        api.Post<ReleaseQuota.Body, ReleaseQuota.Response>("/v1/usage/{user_id}/quotas/{resource}/release", (ctx, body) => body.ToRequest(ctx.Route("user_id"), ctx.Route("resource")),
            new ApiRoute("Release the unit held under a key (idempotent)") { Problems = [422] });
        api.Post<StartSlotCheckout.Body, StartSlotCheckout.Response>("/v1/usage/{user_id}/quotas/{resource}/slots/checkout", (ctx, body) => body.ToRequest(ctx.Route("user_id"), ctx.Route("resource")),
            new ApiRoute("Start a Stripe payment checkout for extra slots of a resource") { Status = 201, Problems = [422, 502, 503] });
        api.Post<StartCreditCheckout.Body, StartCreditCheckout.Response>("/v1/usage/{user_id}/credits/checkout", (ctx, body) => body.ToRequest(ctx.Route("user_id")),
            new ApiRoute("Start a Stripe payment checkout for a prepaid credit package") { Status = 201, Problems = [422, 502, 503] });
        api.Get("/v1/usage/{user_id}/credits", ctx => new GetCredits.Request(ctx.Route("user_id")),
            new ApiRoute("A user's credit balance with the newest grants and ledger entries (grants, consumption, expiries)"));
        api.Get("/v1/usage/{user_id}/credits/grants", ctx => new ListCreditGrants.Request(ctx.Route("user_id"), ctx.Query("limit"), ctx.Query("starting_after")),
            new ApiRoute("A user's credit grants with what is left of each, newest first (paged)")
            {
                Query = Paging.QueryParameters("grant id"),
                Problems = [422],
            });
        api.Get("/v1/usage/{user_id}/credits/ledger", ctx => new ListCreditLedger.Request(ctx.Route("user_id"), ctx.Query("limit"), ctx.Query("starting_after")),
            new ApiRoute("A user's credit ledger (grants, consumption, expiries, reversals), newest first (paged)")
            {
                Query = Paging.QueryParameters("entry id"),
                Problems = [422],
            });
        api.Post<GrantCredits.Body, GrantCredits.Response>("/v1/usage/{user_id}/credits/grants", (ctx, body) => body.ToRequest(ctx.Route("user_id")),
            new ApiRoute("Grant credits to a user (admin), with an optional expiry") { Status = 201, Problems = [422] });
        api.Post<RunUsageInvoices.Body, RunUsageInvoices.Response>("/v1/usage/invoices", (_, body) => body.ToRequest(),
            new ApiRoute("Invoice a closed period's usage (admin; also run monthly by the job); safe to run again") { Problems = [422] });
        api.PostEmpty("/v1/usage/invoices/{id}/void", ctx => new VoidUsageInvoice.Request(ctx.Route("id")),
            new ApiRoute("Void a usage invoice not paid (admin): its Stripe invoice (draft: finalized first; open or uncollectible) is voided, credits given back, plugin charges dropped")
            {
                Problems = [404, 409, 422, 502, 503],
            });
        api.Get("/v1/metrics/usage", ctx => new GetUsageMetrics.Request(ctx.Query("month")),
            new ApiRoute("Usage invoiced in a month (invoices created in it), per currency")
            {
                Query = [new ApiParameter("month", "YYYY-MM, default the current month (UTC)")],
                Problems = [422],
            });
        api.Get("/v1/usage/{user_id}/events", ctx => new ListUsageEvents.Request(ctx.Route("user_id"), ctx.Query("from"), ctx.Query("to"), ctx.Query("meter"), ctx.Query("limit"), ctx.Query("starting_after")),
            new ApiRoute("A user's raw usage events, newest first (paged)")
            {
                Query =
                [
                    new ApiParameter("from", "ISO 8601 time, day YYYY-MM-DD or month YYYY-MM (inclusive)"),
                    new ApiParameter("to", "ISO 8601 time (exclusive), or day / month (inclusive)"),
                    new ApiParameter("meter", "Only this meter"),
                    .. Paging.QueryParameters("event id"),
                ],
                Problems = [422],
            });
        api.Get("/v1/usage/{user_id}/summary", ctx => new GetUsageSummary.Request(ctx.Route("user_id"), ctx.Query("from"), ctx.Query("to"), ctx.Query("group_by")),
            new ApiRoute("A user's usage over a date range grouped by model, plugin_id or day, from rollups")
            {
                Query =
                [
                    new ApiParameter("from", "Day YYYY-MM-DD or month YYYY-MM (months only with group_by model or plugin_id); default the current month's first day"),
                    new ApiParameter("to", "Day or month, inclusive; default today (UTC)"),
                    new ApiParameter("group_by", "model, plugin_id or day (default)"),
                ],
                Problems = [422],
            });
        api.Get("/v1/usage/{user_id}/invoices", ctx => new ListUsageInvoices.Request(ctx.Route("user_id"), ctx.Query("limit"), ctx.Query("starting_after")),
            new ApiRoute("A user's usage invoices with their lines and the price each line applied (paged)") { Query = Paging.QueryParameters("usage invoice id"), Problems = [422] });
    }
}
