using Carter;
using Microsoft.AspNetCore.Routing;
using Monetization.BuildingBlocks.Http;
using Monetization.Referrals.Domain;
using Monetization.Referrals.Features.CaptureReferral;
using Monetization.Referrals.Features.EraseReferralUser;
using Monetization.Referrals.Features.GetReferralMetrics;
using Monetization.Referrals.Features.GetReferralSummary;
using Monetization.Referrals.Features.GrantAccessDays;
using Monetization.Referrals.Features.ListCredits;
using Monetization.Referrals.Features.ListReferrals;

namespace Monetization.Referrals;

/// <summary>The Referrals module's routes: each maps one request to one feature slice.</summary>
internal sealed class ReferralsRoutes : ICarterModule
{
    /// <summary>Declares every route of the module; Carter calls it once at start.</summary>
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var api = app.MapApi("Referrals");
        api.Post<CaptureReferral.Body, ReferralView>(
            "/v1/referrals/capture",
            (_, body) => body.ToRequest(),
            new ApiRoute("Capture a referral at sign-up") { Status = 201, Problems = [409, 422] });
        api.Get("/v1/metrics/referrals", _ => new GetReferralMetrics.Request(),
            new ApiRoute("Referral conversions across all users: captured, converted, rate, per reward status, credit days"));
        api.Get("/v1/referrals/{user_id}", ctx => new GetReferralSummary.Request(ctx.Route("user_id")),
            new ApiRoute("A user's referral code, counts and credit (the code is created on first read)") { Problems = [422] });
        api.Get("/v1/referrals/{user_id}/credits", ctx => new ListCredits.Request(ctx.Route("user_id"), ctx.Query("limit"), ctx.Query("starting_after")),
            new ApiRoute("A user's access-credit ledger (grants and reversals)") { Query = Paging.QueryParameters("entry id"), Problems = [422] });
        api.Post<GrantAccessDays.Body, GrantAccessDays.Response>("/v1/referrals/{user_id}/credits/grants", (ctx, body) => body.ToRequest(ctx.Route("user_id")),
            new ApiRoute("Grant access days by hand (admin), through the same ledger as referral credit") { Status = 201, Problems = [422] });
        api.Get("/v1/referrals/{user_id}/referrals", ctx => new ListReferrals.Request(ctx.Route("user_id"), ctx.Query("limit"), ctx.Query("starting_after")),
            new ApiRoute("Referrals made with a user's code, with their reward status") { Query = Paging.QueryParameters("referral id"), Problems = [422] });
        api.Delete("/v1/referrals/users/{user_id}", ctx => new EraseReferralUser.Request(ctx.Route("user_id")),
            new ApiRoute("Erase a user's personal data from Referrals (referrals survive anonymised)") { Problems = [422] });
    }
}
