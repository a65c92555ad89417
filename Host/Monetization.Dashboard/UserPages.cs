using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Monetization.BuildingBlocks.Http;
using Monetization.Dashboard.Pages;
using Monetization.Marketplace.Features.Installs;
using Monetization.Referrals.Features.ListCredits;
using Monetization.Referrals.Features.ListReferrals;
using Monetization.Subscriptions.Features.CancelSubscription;
using Monetization.Subscriptions.Features.GetSubscription;
using Monetization.Subscriptions.Features.OpenPortal;
using Monetization.Subscriptions.Features.ResumeSubscription;
using Monetization.Usage.Features.GetConsumption;
using Monetization.Usage.Features.GetCredits;
using Monetization.Usage.Features.GrantCredits;
using Monetization.Usage.Features.ListUsageInvoices;
using static Monetization.Dashboard.DashboardEndpoints;

namespace Monetization.Dashboard;

/// <summary>
/// The user page (<c>/users/{user_id}</c>) and its actions: cancel or resume the subscription, grant usage credits, open
/// the customer in Stripe. Each reads or acts through the request its API route sends.
/// </summary>
internal static class UserPages
{
    public static async Task<IResult> ShowAsync(HttpContext ctx, string userId, ProblemException? problem, int status)
    {
        var (op, denied) = await RequireAsync(ctx, admin: false);
        if (op is null)
        {
            return denied!;
        }

        return await RenderAsync(ctx, op, userId, problem, status);
    }

    public static Task<IResult> CancelAsync(HttpContext ctx, string userId) =>
        ActAsync(ctx, userId, async form =>
        {
            bool? atPeriodEnd = bool.TryParse(form["at_period_end"].ToString(), out var b) ? b : null;
            var change = await SendAsync(ctx, new CancelSubscription.Request(userId, atPeriodEnd));
            return atPeriodEnd == true
                ? $"Cancellation at the period end requested from Stripe (subscription {change.StripeSubscriptionId}, Stripe status {change.StripeStatus})."
                : $"Cancellation requested from Stripe (subscription {change.StripeSubscriptionId}, Stripe status {change.StripeStatus}).";
        });

    public static Task<IResult> ResumeAsync(HttpContext ctx, string userId) =>
        ActAsync(ctx, userId, async _ =>
        {
            var change = await SendAsync(ctx, new ResumeSubscription.Request(userId));
            return $"Resume requested from Stripe (subscription {change.StripeSubscriptionId}, Stripe status {change.StripeStatus}).";
        });

    public static Task<IResult> GrantCreditsAsync(HttpContext ctx, string userId) =>
        ActAsync(ctx, userId, async form =>
        {
            var amountText = form["amount"].ToString().Trim();
            long? amount = amountText.Length == 0 ? null
                : long.TryParse(amountText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var a) ? a
                : throw ProblemException.Invalid("amount", "amount is a whole number of minor units.");
            var expiresText = form["expires_at"].ToString().Trim();
            DateTimeOffset? expires = expiresText.Length == 0 ? null
                : DateTimeOffset.TryParse(expiresText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var e) ? e
                : throw ProblemException.Invalid("expires_at", "expires_at is a date and time (UTC).");
            var currency = form["currency"].ToString().Trim() is { Length: > 0 } c ? c : null;
            var reason = form["reason"].ToString().Trim() is { Length: > 0 } r ? r : null;
            var grant = await SendAsync(ctx, new GrantCredits.Request(userId, amount, currency, expires, reason));
            return $"Granted {Format.Money(grant.Amount, grant.Currency)} of credits ({grant.GrantId}).";
        });

    /// <summary>
    /// Against the built-in emulator there is no Stripe dashboard: the customer's billing portal session (opened through
    /// the same request as <c>POST /v1/subscriptions/portal</c>) is the emulator's page of that customer. Against Stripe the
    /// user page links to the Stripe dashboard directly.
    /// </summary>
    public static async Task<IResult> OpenInStripeAsync(HttpContext ctx, string userId)
    {
        var (op, denied) = await RequireAsync(ctx, admin: true);
        if (op is null)
        {
            return denied!;
        }

        try
        {
            var back = $"{ctx.Request.Scheme}://{ctx.Request.Host}/users/{Uri.EscapeDataString(userId)}";
            var portal = await SendAsync(ctx, new OpenPortal.Request(userId, back));
            return Results.Redirect(portal.Url);
        }
        catch (Exception e) when (ProblemOf(e) is { } problem)
        {
            return await RenderAsync(ctx, op, userId, problem, problem.Status);
        }
    }

    private static async Task<IResult> ActAsync(HttpContext ctx, string userId, Func<IFormCollection, Task<string>> act)
    {
        var (op, denied) = await RequireAsync(ctx, admin: true);
        if (op is null)
        {
            return denied!;
        }

        try
        {
            var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
            var notice = await act(form);
            return Done("/users/" + Uri.EscapeDataString(userId), notice);
        }
        catch (Exception e) when (ProblemOf(e) is { } problem)
        {
            return await RenderAsync(ctx, op, userId, problem, problem.Status);
        }
    }

    private static async Task<IResult> RenderAsync(HttpContext ctx, DashboardOperator op, string userId, ProblemException? problem, int status)
    {
        UserModel model;
        try
        {
            var subscription = await SendAsync(ctx, new GetSubscription.Request(userId));
            model = new UserModel(
                userId,
                subscription,
                await SendAsync(ctx, new ListCredits.Request(userId, "100", null)),
                await SendAsync(ctx, new ListReferrals.Request(userId, "100", null)),
                await SendAsync(ctx, new ListUserInstalls.Request(userId, "all")),
                await SendAsync(ctx, new GetConsumption.Request(userId, null)),
                await SendAsync(ctx, new GetCredits.Request(userId)),
                await SendAsync(ctx, new ListUsageInvoices.Request(userId)),
                StripeDashboardLink(ctx, subscription.StripeCustomerId));
        }
        catch (Exception e) when (ProblemOf(e) is { } readProblem)
        {
            return Render<ErrorPage>(Frame(ctx, "User " + userId, "users", op, null, readProblem), null, readProblem.Status);
        }

        return Render<UserPage>(Frame(ctx, "User " + userId, "users", op, null, problem), model, status);
    }

    /// <summary>The customer in Stripe's dashboard (test mode for <c>sk_test_</c> keys); null against the emulator or without a customer.</summary>
    private static string? StripeDashboardLink(HttpContext ctx, string? customerId)
    {
        var configuration = ctx.RequestServices.GetRequiredService<IConfiguration>();
        if (customerId is null || string.Equals(configuration["Stripe:Emulated"], "true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var test = configuration["Stripe:SecretKey"]?.StartsWith("sk_test_", StringComparison.Ordinal) == true ? "test/" : "";
        return $"https://dashboard.stripe.com/{test}customers/{Uri.EscapeDataString(customerId)}";
    }
}

/// <summary>What the user page shows: each member is the response of the API route named.</summary>
/// <param name="UserId">The user.</param>
/// <param name="Subscription"><c>GET /v1/subscriptions/{user_id}</c>.</param>
/// <param name="AccessCredits"><c>GET /v1/referrals/{user_id}/credits?limit=100</c>.</param>
/// <param name="Referrals"><c>GET /v1/referrals/{user_id}/referrals?limit=100</c>.</param>
/// <param name="Installs"><c>GET /v1/marketplace/users/{user_id}/installs?status=all</c>.</param>
/// <param name="Consumption"><c>GET /v1/usage/{user_id}/consumption</c>.</param>
/// <param name="Credits"><c>GET /v1/usage/{user_id}/credits</c>.</param>
/// <param name="Invoices"><c>GET /v1/usage/{user_id}/invoices</c>.</param>
/// <param name="StripeDashboardUrl">The customer in Stripe's dashboard, when the Host talks to Stripe itself.</param>
internal sealed record UserModel(
    string UserId,
    GetSubscription.Response Subscription,
    ListCredits.Response AccessCredits,
    ListReferrals.Response Referrals,
    ListUserInstalls.Response Installs,
    GetConsumption.Response Consumption,
    GetCredits.Response Credits,
    ListUsageInvoices.Response Invoices,
    string? StripeDashboardUrl);
