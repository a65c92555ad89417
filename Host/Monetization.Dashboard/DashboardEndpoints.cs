using MediatR;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Monetization.BuildingBlocks.Http;
using Monetization.BuildingBlocks.Outbox;
using Monetization.Dashboard.Pages;
using Monetization.Marketplace.Features.Overview;
using Monetization.Marketplace.Features.Payouts;
using Monetization.Marketplace.Features.Plugins;
using Monetization.Referrals.Features.GetReferralMetrics;
using Monetization.Subscriptions.Features.GetSubscriptionMetrics;
using Monetization.Usage.Features.GetUsageMetrics;

namespace Monetization.Dashboard;

/// <summary>
/// The operator dashboard (issue 19), served by the Host at <c>/</c>: <c>AddDashboard</c> registers it, <c>MapDashboard</c>
/// maps its pages. Pages are Razor components rendered on the server (static SSR) from the same MediatR requests the API
/// routes send, so every number is the API's. GET pages need a signed-in key with <c>read</c> (pages over admin-only API
/// routes need <c>admin</c>, as those routes do); every POST needs <c>admin</c> and a valid antiforgery token.
/// </summary>
public static partial class DashboardEndpoints
{
    /// <summary>Name of the hidden antiforgery field of every dashboard form.</summary>
    public const string CsrfField = "__csrf";

    /// <summary>Registers the dashboard's services: Razor components, antiforgery, the sign-in cookie.</summary>
    public static WebApplicationBuilder AddDashboard(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRazorComponents();
        builder.Services.AddAntiforgery(o =>
        {
            o.FormFieldName = CsrfField;
            o.Cookie.Name = "monetization_dashboard_csrf";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            // Secure whenever the request is HTTPS. Not Always: ASP.NET Core's antiforgery then refuses every plain-HTTP
            // request with a 500, where the sign-in cookie (Secure outside Development) already keeps a browser from
            // sending the session over plain HTTP to anything but localhost.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        // The pages authenticate with the cookie scheme by name (DashboardOperator.CurrentAsync). Without this switch, ASP.NET
        // Core makes a lone scheme the default, and its authentication middleware runs the cookie handler on every request of
        // the Host, webhooks and API calls included: 1.2 % of the Host's CPU under webhook load (issue 22,
        // docs/performance.md, twenty-second session; https://learn.microsoft.com/aspnet/core/security/authentication/#defaultscheme).
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        builder.Services.AddAuthentication()
            .AddCookie(DashboardOperator.Scheme, o => DashboardOperator.ConfigureCookie(o, builder.Environment.IsDevelopment()));
        return builder;
    }

    /// <summary>Maps the dashboard's pages and forms (outside the API's Bearer-key check: they use the sign-in cookie).</summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var pages = app.MapGroup("").WithMetadata(new ApiScopeMetadata(ApiScope.Anonymous)).ExcludeFromDescription();
        pages.MapGet("/signin", Page(ctx => SignInPageAsync(ctx, null, 200)));
        pages.MapPost("/signin", Page(SignInAsync));
        pages.MapPost("/signout", Page(SignOutAsync));
        pages.MapGet("/", Page(OverviewAsync));
        pages.MapGet("/users", Page(FindUser));
        pages.MapGet("/users/{user_id}", (HttpContext ctx, string user_id) => UserPages.ShowAsync(ctx, user_id, null, 200));
        pages.MapPost("/users/{user_id}/cancel", (HttpContext ctx, string user_id) => UserPages.CancelAsync(ctx, user_id));
        pages.MapPost("/users/{user_id}/resume", (HttpContext ctx, string user_id) => UserPages.ResumeAsync(ctx, user_id));
        pages.MapPost("/users/{user_id}/credits", (HttpContext ctx, string user_id) => UserPages.GrantCreditsAsync(ctx, user_id));
        pages.MapPost("/users/{user_id}/stripe", (HttpContext ctx, string user_id) => UserPages.OpenInStripeAsync(ctx, user_id));
        pages.MapGet("/stripe-events", Page(ctx => StripeEventPages.ListAsync(ctx, null, 200)));
        pages.MapGet("/stripe-events/{id}", (HttpContext ctx, string id) => StripeEventPages.ShowAsync(ctx, id, null, 200));
        pages.MapPost("/stripe-events/{id}/replay", (HttpContext ctx, string id) => StripeEventPages.ReplayAsync(ctx, id));
        pages.MapGet("/dead-letters", Page(ctx => DeadLetterPages.ListAsync(ctx, null, 200)));
        pages.MapPost("/dead-letters/{module}/{sequence}/replay", (HttpContext ctx, string module, string sequence) => DeadLetterPages.ReplayAsync(ctx, module, sequence));
        pages.MapGet("/marketplace", Page(MarketplaceAsync));
        pages.MapGet("/webhooks", Page(ctx => WebhookPages.ListAsync(ctx, null, 200)));
        pages.MapPost("/webhooks/{id}/enable", (HttpContext ctx, string id) => WebhookPages.EnableAsync(ctx, id));
        pages.MapPost("/webhooks/deliveries/{id}/retry", (HttpContext ctx, string id) => WebhookPages.RetryAsync(ctx, id));
        return app;
    }

    /// <summary>A page handler as a route handler (so its <see cref="IResult"/> is written, not taken for a RequestDelegate).</summary>
    private static Delegate Page(Func<HttpContext, Task<IResult>> handler) => handler;

    /// <summary>The signed-in operator, or null after answering: a redirect to sign-in, or 403 when the page needs <c>admin</c>.</summary>
    internal static async Task<(DashboardOperator? Operator, IResult? Denied)> RequireAsync(HttpContext ctx, bool admin)
    {
        var op = await DashboardOperator.CurrentAsync(ctx);
        if (op is null)
        {
            var back = ctx.Request.Path + ctx.Request.QueryString;
            return (null, HttpMethods.IsGet(ctx.Request.Method)
                ? Results.Redirect("/signin?return_url=" + Uri.EscapeDataString(back))
                : Results.Redirect("/signin"));
        }

        if (admin && !op.CanAct)
        {
            var problem = new ProblemException(403, "Forbidden", "This page needs the 'admin' scope.", "forbidden");
            return (null, Render<ErrorPage>(Frame(ctx, "Forbidden", "", op, null, problem), null, 403));
        }

        if (!HttpMethods.IsGet(ctx.Request.Method))
        {
            try
            {
                await ctx.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(ctx);
            }
            catch (AntiforgeryValidationException)
            {
                var problem = ProblemException.BadRequest("The form's antiforgery token is missing or invalid; reload the page and submit again.", "csrf_failed");
                return (null, Render<ErrorPage>(Frame(ctx, "Form rejected", "", op, null, problem), null, 400));
            }
        }

        return (op, null);
    }

    /// <summary>The frame of a page: antiforgery tokens for its forms, the notice passed by a redirect, the problem to show.</summary>
    internal static PageFrame Frame(HttpContext ctx, string title, string section, DashboardOperator? op, string? notice, ProblemException? problem)
    {
        var tokens = ctx.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(ctx);
        notice ??= ctx.Request.Query["notice"].ToString() is { Length: > 0 and <= 300 } n ? n : null;
        return new PageFrame(title, section, op, tokens.FormFieldName, tokens.RequestToken ?? "", notice, problem);
    }

    /// <summary>Renders a page component with its frame and model, with a status code.</summary>
    internal static RazorComponentResult Render<TPage>(PageFrame frame, object? model, int status)
        where TPage : Microsoft.AspNetCore.Components.IComponent =>
        new RazorComponentResult<TPage>(new Dictionary<string, object?> { ["Frame"] = frame, ["Model"] = model }) { StatusCode = status };

    /// <summary>Sends a request through MediatR exactly as the API route does.</summary>
    internal static Task<T> SendAsync<T>(HttpContext ctx, IRequest<T> request) =>
        ctx.RequestServices.GetRequiredService<IMediator>().Send(request, ctx.RequestAborted);

    /// <summary>The problem an exception stands for when it is the caller's (4xx) or Stripe's (502/503) to show on the page; null for faults.</summary>
    internal static ProblemException? ProblemOf(Exception exception) =>
        ProblemDetailsMiddleware.ToProblem(exception) is { Status: < 500 or 502 or 503 } problem ? problem : null;

    /// <summary>Redirect after a successful action (post/redirect/get), with a notice to show.</summary>
    internal static IResult Done(string path, string notice) =>
        Results.Redirect(path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "notice=" + Uri.EscapeDataString(notice));

    private static async Task<IResult> SignInPageAsync(HttpContext ctx, ProblemException? problem, int status)
    {
        var op = await DashboardOperator.CurrentAsync(ctx);
        var returnUrl = SafeReturnUrl(ctx.Request.Query["return_url"].ToString());
        return Render<SignInPage>(Frame(ctx, "Sign in", "", op, null, problem), returnUrl, status);
    }

    private static async Task<IResult> SignInAsync(HttpContext ctx)
    {
        var antiforgery = ctx.RequestServices.GetRequiredService<IAntiforgery>();
        try
        {
            await antiforgery.ValidateRequestAsync(ctx);
        }
        catch (AntiforgeryValidationException)
        {
            return await SignInPageAsync(ctx, ProblemException.BadRequest("The form's antiforgery token is missing or invalid; reload the page and submit again.", "csrf_failed"), 400);
        }

        var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
        var op = await DashboardOperator.SignInAsync(ctx, form["api_key"].ToString());
        if (op is null)
        {
            ctx.Response.Headers.WWWAuthenticate = "Bearer";
            return await SignInPageAsync(ctx, new ProblemException(401, "Unauthorized", "That is not an API key this Host accepts.", "unauthorized"), 401);
        }

        return Results.Redirect(SafeReturnUrl(form["return_url"].ToString()));
    }

    private static async Task<IResult> SignOutAsync(HttpContext ctx)
    {
        var (op, denied) = await RequireAsync(ctx, admin: false);
        if (op is null)
        {
            return denied!;
        }

        await DashboardOperator.SignOutAsync(ctx);
        return Results.Redirect("/signin");
    }

    /// <summary>Only a local path (<c>/…</c>, not <c>//host</c>) may be returned to after sign-in, so the form is no open redirect.</summary>
    private static string SafeReturnUrl(string? url) =>
        url is { Length: > 0 and < 2000 } u && u[0] == '/' && (u.Length == 1 || (u[1] != '/' && u[1] != '\\')) ? u : "/";

    private static async Task<IResult> OverviewAsync(HttpContext ctx)
    {
        var (op, denied) = await RequireAsync(ctx, admin: false);
        if (op is null)
        {
            return denied!;
        }

        var outbox = new List<OutboxStats>();
        foreach (var dispatcher in ctx.RequestServices.GetServices<IOutboxDispatcher>())
        {
            outbox.Add(await dispatcher.GetStatsAsync(ctx.RequestAborted));
        }

        var model = new OverviewModel(
            await SendAsync(ctx, new GetSubscriptionMetrics.Request()),
            await SendAsync(ctx, new GetReferralMetrics.Request()),
            await SendAsync(ctx, new GetMarketplaceMetrics.Request(null)),
            await SendAsync(ctx, new GetUsageMetrics.Request(null)),
            outbox,
            ctx.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
        return Render<OverviewPage>(Frame(ctx, "Overview", "overview", op, null, null), model, 200);
    }

    private static async Task<IResult> FindUser(HttpContext ctx)
    {
        var (op, denied) = await RequireAsync(ctx, admin: false);
        if (op is null)
        {
            return denied!;
        }

        var id = ctx.Request.Query["user_id"].ToString().Trim();
        return Results.Redirect("/users/" + Uri.EscapeDataString(id));
    }

    private static async Task<IResult> MarketplaceAsync(HttpContext ctx)
    {
        var (op, denied) = await RequireAsync(ctx, admin: false);
        if (op is null)
        {
            return denied!;
        }

        var period = ctx.Request.Query["period"].ToString() is { Length: > 0 } p ? p : null;
        try
        {
            var model = new MarketplaceModel(
                await SendAsync(ctx, new GetMarketplaceMetrics.Request(period)),
                await SendAsync(ctx, new ListPlugins.Request(null, null, null, "all", "name", "100", null)),
                await SendAsync(ctx, new ListPayouts.Request(null, null, "100", null)));
            return Render<MarketplacePage>(Frame(ctx, "Marketplace", "marketplace", op, null, null), model, 200);
        }
        catch (Exception e) when (ProblemOf(e) is { } problem)
        {
            return Render<ErrorPage>(Frame(ctx, "Marketplace", "marketplace", op, null, problem), null, problem.Status);
        }
    }
}

/// <summary>What the overview shows.</summary>
/// <param name="Subscriptions">The response of <c>GET /v1/metrics/subscriptions</c>.</param>
/// <param name="Referrals">The response of <c>GET /v1/metrics/referrals</c>.</param>
/// <param name="Marketplace">The response of <c>GET /v1/metrics/marketplace</c>.</param>
/// <param name="Usage">The response of <c>GET /v1/metrics/usage</c>.</param>
/// <param name="Outbox">The rows of <c>GET /v1/admin/outbox</c>.</param>
/// <param name="Now">The Host's clock, UTC (for outbox lag).</param>
internal sealed record OverviewModel(
    GetSubscriptionMetrics.Response Subscriptions,
    GetReferralMetrics.Response Referrals,
    GetMarketplaceMetrics.Response Marketplace,
    GetUsageMetrics.Response Usage,
    IReadOnlyList<OutboxStats> Outbox,
    DateTimeOffset Now);

/// <summary>What the marketplace page shows.</summary>
/// <param name="Metrics">The response of <c>GET /v1/metrics/marketplace?period=</c>.</param>
/// <param name="Plugins">The response of <c>GET /v1/marketplace/plugins?status=all&amp;sort=name&amp;limit=100</c>.</param>
/// <param name="Payouts">The response of <c>GET /v1/marketplace/payouts?limit=100</c>.</param>
internal sealed record MarketplaceModel(GetMarketplaceMetrics.Response Metrics, ListPlugins.Response Plugins, ListPayouts.Response Payouts);
