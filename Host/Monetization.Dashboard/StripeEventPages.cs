using Microsoft.AspNetCore.Http;
using Monetization.BuildingBlocks.Http;
using Monetization.Dashboard.Pages;
using Monetization.Subscriptions.Features.GetStripeEvent;
using Monetization.Subscriptions.Features.ListStripeEvents;
using Monetization.Subscriptions.Features.ReplayStripeEvent;
using static Monetization.Dashboard.DashboardEndpoints;

namespace Monetization.Dashboard;

/// <summary>
/// Stripe events (<c>/stripe-events</c>, admin like <c>GET /v1/stripe_events</c>): the stored events filtered by type and
/// status, one event with its payload, and replay (the request of <c>POST /v1/stripe_events/{id}/replay</c>).
/// </summary>
internal static class StripeEventPages
{
    public static async Task<IResult> ListAsync(HttpContext ctx, ProblemException? problem, int status)
    {
        var (op, denied) = await RequireAsync(ctx, admin: true);
        if (op is null)
        {
            return denied!;
        }

        var filter = new StripeEventFilter(Query(ctx, "type"), Query(ctx, "status"), Query(ctx, "starting_after"));
        try
        {
            var page = await SendAsync(ctx, new ListStripeEvents.Request(filter.Status, filter.Type, "50", filter.StartingAfter));
            return Render<StripeEventsPage>(Frame(ctx, "Stripe events", "stripe-events", op, null, problem), new StripeEventsModel(filter, page), status);
        }
        catch (Exception e) when (ProblemOf(e) is { } readProblem)
        {
            return Render<StripeEventsPage>(Frame(ctx, "Stripe events", "stripe-events", op, null, readProblem), new StripeEventsModel(filter, null), readProblem.Status);
        }
    }

    public static async Task<IResult> ShowAsync(HttpContext ctx, string id, ProblemException? problem, int status)
    {
        var (op, denied) = await RequireAsync(ctx, admin: true);
        if (op is null)
        {
            return denied!;
        }

        try
        {
            var stored = await SendAsync(ctx, new GetStripeEvent.Request(id));
            return Render<StripeEventPage>(Frame(ctx, "Stripe event " + id, "stripe-events", op, null, problem), stored, status);
        }
        catch (Exception e) when (ProblemOf(e) is { } readProblem)
        {
            return Render<ErrorPage>(Frame(ctx, "Stripe event " + id, "stripe-events", op, null, readProblem), null, readProblem.Status);
        }
    }

    public static async Task<IResult> ReplayAsync(HttpContext ctx, string id)
    {
        var (op, denied) = await RequireAsync(ctx, admin: true);
        if (op is null)
        {
            return denied!;
        }

        try
        {
            var replayed = await SendAsync(ctx, new ReplayStripeEvent.Request(id));
            return Done("/stripe-events/" + Uri.EscapeDataString(id), $"Replayed: the event is now {replayed.Status} after {replayed.Attempts} attempt(s).");
        }
        catch (Exception e) when (ProblemOf(e) is { } problem)
        {
            return await ShowAsync(ctx, id, problem, problem.Status);
        }
    }

    private static string? Query(HttpContext ctx, string name) => ctx.Request.Query[name].ToString() is { Length: > 0 } v ? v : null;
}

/// <summary>The filters of the Stripe events list.</summary>
/// <param name="Type">Stripe event type, or null for all.</param>
/// <param name="Status"><c>received</c>, <c>processed</c>, <c>ignored</c>, <c>failed</c>, or null for all.</param>
/// <param name="StartingAfter">Cursor: the last event id of the previous page.</param>
internal sealed record StripeEventFilter(string? Type, string? Status, string? StartingAfter);

/// <summary>What the Stripe events page shows.</summary>
/// <param name="Filter">The filters applied.</param>
/// <param name="Page">The response of <c>GET /v1/stripe_events</c>; null when the filters were rejected.</param>
internal sealed record StripeEventsModel(StripeEventFilter Filter, ListStripeEvents.Response? Page);
