using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Monetization.StripeEmulator.Http;
using Monetization.StripeEmulator.Shapes;

namespace Monetization.StripeEmulator.Pages;

/// <summary>The hosted Checkout page: <c>GET/POST {PublicBaseUrl}/checkout/{cs_id}</c>.</summary>
internal sealed class CheckoutPage
{
    private readonly Engine _engine;

    public CheckoutPage(Engine engine) => _engine = engine;

    public async Task HandleAsync(HttpContext context, string sessionId)
    {
        var method = context.Request.Method.ToUpperInvariant();
        string? error = null;
        string card = "4242 4242 4242 4242";
        string? email = null;
        if (method == "POST")
        {
            var form = await Html.ReadFormAsync(context).ConfigureAwait(false);
            card = form.Str("card") ?? string.Empty;
            email = form.Str("email");
            try
            {
                var session = _engine.Mutate(null, () =>
                {
                    var found = _engine.Store.Require(sessionId, "checkout.session", "id");
                    return (JsonObject)_engine.Checkout.Complete(found, card, string.IsNullOrWhiteSpace(email) ? null : email).DeepClone();
                });
                await _engine.Delivery.DeliverPendingAsync(context.RequestAborted).ConfigureAwait(false);
                if (session.Str("success_url") is { Length: > 0 } success)
                {
                    Html.Redirect(context, success.Replace("{CHECKOUT_SESSION_ID}", sessionId, StringComparison.Ordinal));
                    return;
                }
            }
            catch (ApiException ex)
            {
                await _engine.Delivery.DeliverPendingAsync(context.RequestAborted).ConfigureAwait(false);
                error = ex.Message;
            }
        }

        var snapshot = _engine.Mutate(null, () => _engine.Store.Find(sessionId, "checkout.session")?.DeepClone() as JsonObject, save: false);
        if (snapshot is null)
        {
            await Html.WriteAsync(context, 404, "Not found", "<h1>Checkout session not found</h1>").ConfigureAwait(false);
            return;
        }

        var items = _engine.Mutate(null, () => _engine.Checkout.LineItems(snapshot).Select(i => (JsonObject)i.DeepClone()).ToList(), save: false);
        await Html.WriteAsync(context, error is null ? 200 : 402, "Checkout", Render(context, snapshot, items, error, card, email)).ConfigureAwait(false);
    }

    private static string Render(HttpContext context, JsonObject session, List<JsonObject> items, string? error, string card, string? email)
    {
        var html = new StringBuilder();
        var currency = session.Str("currency") ?? "usd";
        html.Append("<h1>Checkout</h1>");
        var status = session.Str("status");
        if (status != "open")
        {
            html.Append($"<p>This checkout session is <strong>{Html.E(status)}</strong>.</p>");
            if (status == "complete" && session.Str("success_url") is { Length: > 0 } success)
            {
                html.Append($"<p><a href=\"{Html.E(success.Replace("{CHECKOUT_SESSION_ID}", session.Str("id"), StringComparison.Ordinal))}\">Continue</a></p>");
            }

            return html.ToString();
        }

        html.Append("<div class=\"box\"><table>");
        foreach (var item in items)
        {
            var recurring = item["price"]?["recurring"];
            var suffix = recurring is null ? string.Empty : $" / {Html.E(recurring.Str("interval"))}";
            html.Append($"<tr><td>{Html.E(item.Str("description"))} × {item.Long("quantity")}</td><td style=\"text-align:right\">{Html.E(Common.Money(item.Long("amount_total"), currency))}{suffix}</td></tr>");
        }

        html.Append($"<tr><td><strong>Total</strong></td><td style=\"text-align:right\"><strong>{Html.E(Common.Money(session.Long("amount_total"), currency))}</strong></td></tr></table></div>");
        if (error is not null)
        {
            html.Append($"<p class=\"error\" role=\"alert\">{Html.E(error)}</p>");
        }

        var action = $"{context.Request.PathBase}/checkout/{Html.E(session.Str("id"))}";
        html.Append($"<form method=\"post\" action=\"{action}\">");
        if (session.Str("customer") is null && session.Str("customer_email") is null)
        {
            html.Append($"<label>Email<input name=\"email\" type=\"email\" value=\"{Html.E(email ?? "customer@example.com")}\"></label>");
        }
        else
        {
            html.Append($"<p>Paying as {Html.E(session.Str("customer_email") ?? session.Str("customer"))}</p>");
        }

        html.Append($"<label>Card number<input name=\"card\" inputmode=\"numeric\" value=\"{Html.E(card)}\"></label>");
        html.Append($"<button type=\"submit\">{(session.Str("mode") == "subscription" ? "Subscribe" : "Pay")}</button></form>");
        if (session.Str("cancel_url") is { Length: > 0 } cancel)
        {
            html.Append($"<p><a href=\"{Html.E(cancel)}\">Cancel and return</a></p>");
        }

        html.Append("<p><small>Test cards: 4242 4242 4242 4242 succeeds · 4000 0000 0000 0341 succeeds now, later renewals fail · 4000 0000 0000 9995 is declined (insufficient funds).</small></p>");
        return html.ToString();
    }
}
