using Microsoft.AspNetCore.Http;
using Monetization.StripeEmulator.Shapes;

namespace Monetization.StripeEmulator.Pages;

/// <summary>The hosted Connect onboarding page behind an account link: <c>{PublicBaseUrl}/connect/onboarding/{token}</c>.</summary>
internal sealed class OnboardingPage
{
    private readonly Engine _engine;

    public OnboardingPage(Engine engine) => _engine = engine;

    public async Task HandleAsync(HttpContext context, string token)
    {
        var link = _engine.Mutate(null, () => _engine.Onboarding.Link(token)?.DeepClone(), save: false);
        if (link is null)
        {
            await Html.WriteAsync(context, 404, "Not found", "<h1>This onboarding link is not valid.</h1>").ConfigureAwait(false);
            return;
        }

        var accountId = link.Str("account")!;
        if (context.Request.Method.Equals("POST", StringComparison.OrdinalIgnoreCase))
        {
            _engine.Mutate(null, () => _engine.Onboarding.Complete(_engine.Store.Require(accountId, "account", "account")));
            await _engine.Delivery.DeliverPendingAsync(context.RequestAborted).ConfigureAwait(false);
            if (link.Str("return_url") is { Length: > 0 } returnUrl)
            {
                Html.Redirect(context, returnUrl);
                return;
            }

            await Html.WriteAsync(context, 200, "Onboarding complete", $"<h1>Onboarding complete</h1><p>Account {Html.E(accountId)} can now accept payments.</p>").ConfigureAwait(false);
            return;
        }

        if (link.Long("expires_at") < _engine.Now && link.Str("refresh_url") is { Length: > 0 } refreshUrl)
        {
            Html.Redirect(context, refreshUrl);
            return;
        }

        var account = _engine.Mutate(null, () => _engine.Store.Find(accountId, "account")?.DeepClone(), save: false);
        var action = $"{context.Request.PathBase}/connect/onboarding/{Html.E(token)}";
        await Html.WriteAsync(context, 200, "Connect onboarding",
            $"<h1>Set up payouts</h1><p>Account <code>{Html.E(accountId)}</code> ({Html.E(account.Str("email"))})</p>" +
            "<p>In test mode no details are needed.</p>" +
            $"<form method=\"post\" action=\"{action}\"><button type=\"submit\">Complete onboarding</button></form>").ConfigureAwait(false);
    }
}
