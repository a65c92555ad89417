using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Monetization.StripeEmulator.Api;
using Monetization.StripeEmulator.Billing;
using Monetization.StripeEmulator.Http;
using Monetization.StripeEmulator.Shapes;

namespace Monetization.StripeEmulator.Pages;

/// <summary>The hosted billing portal: <c>{PublicBaseUrl}/portal/{bps_id}</c> with cancel, resume and switch-plan actions.</summary>
internal sealed class PortalPage
{
    private readonly Engine _engine;

    public PortalPage(Engine engine) => _engine = engine;

    public async Task HandleAsync(HttpContext context, string[] segments)
    {
        var portalId = segments[1];
        var method = context.Request.Method.ToUpperInvariant();
        string? error = null;
        if (method == "POST" && segments.Length == 5 && segments[2] == "subscriptions")
        {
            var form = await Html.ReadFormAsync(context).ConfigureAwait(false);
            try
            {
                _engine.Mutate(null, () => Act(portalId, segments[3], segments[4], form.Str("price")));
                await _engine.Delivery.DeliverPendingAsync(context.RequestAborted).ConfigureAwait(false);
                Html.Redirect(context, $"{context.Request.PathBase}/portal/{portalId}");
                return;
            }
            catch (ApiException ex)
            {
                await _engine.Delivery.DeliverPendingAsync(context.RequestAborted).ConfigureAwait(false);
                error = ex.Message;
            }
        }

        var page = _engine.Mutate(null, () => Render(context, portalId, error), save: false);
        if (page is null)
        {
            await Html.WriteAsync(context, 404, "Not found", "<h1>Billing portal session not found</h1>").ConfigureAwait(false);
            return;
        }

        await Html.WriteAsync(context, error is null ? 200 : 400, "Billing portal", page).ConfigureAwait(false);
    }

    private bool Act(string portalId, string subscriptionId, string action, string? priceId)
    {
        var portal = _engine.Store.Require(portalId, "billing_portal.session", "id");
        var subscription = _engine.Store.Require(subscriptionId, "subscription", "subscription");
        if (subscription.Str("customer") != portal.Str("customer"))
        {
            throw ApiException.NoSuch("subscription", subscriptionId, "subscription");
        }

        var before = (JsonObject)subscription.DeepClone();
        switch (action)
        {
            case "cancel":
                _engine.Subscriptions.SetCancelAtPeriodEnd(subscription, true);
                _engine.Events.EmitUpdated("customer.subscription.updated", before, subscription);
                break;
            case "resume":
                _engine.Subscriptions.SetCancelAtPeriodEnd(subscription, false);
                _engine.Events.EmitUpdated("customer.subscription.updated", before, subscription);
                break;
            case "switch":
                var price = _engine.Store.Require(priceId, "price", "price");
                var item = _engine.Subscriptions.Items(subscription)[0];
                if (item["price"].Str("id") == price.Str("id"))
                {
                    return false;
                }

                _engine.Subscriptions.ChangeItems(subscription, [new ItemChange(item.Str("id"), price, null, false, null)], "create_prorations");
                _engine.Events.EmitUpdated("customer.subscription.updated", before, subscription);
                break;
            default:
                throw ApiException.Invalid($"Unknown portal action {action}.", null);
        }

        return true;
    }

    private string? Render(HttpContext context, string portalId, string? error)
    {
        var portal = _engine.Store.Find(portalId, "billing_portal.session");
        if (portal is null)
        {
            return null;
        }

        var customer = _engine.Store.Find(portal.Str("customer"), "customer");
        var html = new StringBuilder();
        html.Append($"<h1>Billing</h1><p>{Html.E(customer.Str("email") ?? customer.Str("name") ?? portal.Str("customer"))}</p>");
        if (error is not null)
        {
            html.Append($"<p class=\"error\" role=\"alert\">{Html.E(error)}</p>");
        }

        var subscriptions = _engine.Store.All("subscription").Where(s => s.Str("customer") == portal.Str("customer") && s.Str("status") != "canceled").ToList();
        if (subscriptions.Count == 0)
        {
            html.Append("<p>No active subscriptions.</p>");
        }

        var basePath = $"{context.Request.PathBase}/portal/{Html.E(portalId)}/subscriptions";
        foreach (var subscription in subscriptions)
        {
            var item = _engine.Subscriptions.Items(subscription).FirstOrDefault();
            var price = item?["price"] as JsonObject;
            var product = _engine.Store.Find(price.Str("product"));
            var end = DateTimeOffset.FromUnixTimeSeconds(_engine.Subscriptions.CurrentPeriodEnd(subscription)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            var id = Html.E(subscription.Str("id"));
            html.Append("<div class=\"box\">");
            html.Append($"<h2>{Html.E(product.Str("name") ?? "Subscription")}</h2>");
            if (price is not null)
            {
                html.Append($"<p>{Html.E(Common.Money(price.Long("unit_amount"), price.Str("currency")!))} / {Html.E(price["recurring"].Str("interval"))} · status <strong>{Html.E(subscription.Str("status"))}</strong></p>");
            }

            if (subscription.Bool("cancel_at_period_end"))
            {
                html.Append($"<p>Cancels on {end}.</p><form method=\"post\" action=\"{basePath}/{id}/resume\"><button type=\"submit\">Resume subscription</button></form>");
            }
            else
            {
                html.Append($"<p>Renews on {end}.</p><form method=\"post\" action=\"{basePath}/{id}/cancel\"><button type=\"submit\">Cancel at period end</button></form>");
            }

            var options = SwitchOptions(price);
            if (options.Count > 1)
            {
                html.Append($"<form method=\"post\" action=\"{basePath}/{id}/switch\"><label>Switch plan<select name=\"price\">");
                foreach (var option in options)
                {
                    var name = option.Str("nickname") ?? _engine.Store.Find(option.Str("product")).Str("name") ?? option.Str("id");
                    var selected = option.Str("id") == price.Str("id") ? " selected" : string.Empty;
                    html.Append($"<option value=\"{Html.E(option.Str("id"))}\"{selected}>{Html.E(name)} — {Html.E(Common.Money(option.Long("unit_amount"), option.Str("currency")!))} / {Html.E(option["recurring"].Str("interval"))}</option>");
                }

                html.Append("</select></label><button type=\"submit\">Switch plan</button></form>");
            }

            html.Append("</div>");
        }

        if (portal.Str("return_url") is { Length: > 0 } returnUrl)
        {
            html.Append($"<p><a href=\"{Html.E(returnUrl)}\">← Return</a></p>");
        }

        return html.ToString();
    }

    /// <summary>Recurring active prices of the same product, or all recurring active prices in the currency when the product has only one.</summary>
    private List<JsonObject> SwitchOptions(JsonObject? current)
    {
        if (current is null)
        {
            return [];
        }

        var recurring = _engine.Store.All("price")
            .Where(p => p["recurring"] is not null && p.Bool("active") && p.Str("currency") == current.Str("currency"))
            .ToList();
        var sameProduct = recurring.Where(p => p.Str("product") == current.Str("product")).ToList();
        var options = sameProduct.Count > 1 ? sameProduct : recurring;
        if (options.All(p => p.Str("id") != current.Str("id")))
        {
            options.Insert(0, current);
        }

        return options.OrderBy(p => p.Long("unit_amount")).ToList();
    }
}
