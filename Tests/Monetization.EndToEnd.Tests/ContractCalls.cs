using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Monetization.TestKit;

namespace Monetization.EndToEnd.Tests;

/// <summary>
/// Calls, after the story, each route the story does not use, each with a valid request, so every declared route has a
/// recorded success answer for its contract snapshot (issue 15). Order matters only where a call changes what a later
/// one may do (cancel before resume, erase last).
/// </summary>
internal static partial class ContractCalls
{
    /// <summary>Exercises the routes the story leaves; each call must succeed.</summary>
    public static async Task ExerciseRoutesTheStoryLeavesAsync(MonetizationFactory factory)
    {
        using var api = new Api(factory);
        using var anonymous = factory.CreateAnonymousClient();
        (await anonymous.GetAsync("/health/live")).EnsureSuccessStatusCode();
        (await anonymous.GetAsync("/health/ready")).EnsureSuccessStatusCode();
        (await anonymous.GetAsync("/v1/plans")).EnsureSuccessStatusCode();
        await api.GetAsync("/v1/config");
        await api.GetAsync("/v1/admin/outbox");
        foreach (var metrics in new[] { "subscriptions", "referrals", "marketplace", "usage" })
        {
            await api.GetAsync("/v1/metrics/" + metrics);
        }

        // Outgoing webhooks (issue 18): beside the product's endpoint of the story, one for uninstalls only, so its
        // deliveries list holds exactly the uninstall below.
        var receiver = (await api.GetAsync("/v1/webhook_endpoints")).Arr("data").First()!.Str("url");
        var uninstalls = (await api.PostAsync("/v1/webhook_endpoints", new { url = receiver, event_types = new[] { "marketplace.install.canceled" } }, 201))["endpoint"]!.Str("id");

        // Marketplace reads, then changes of the story's plugin and install.
        await api.GetAsync($"/v1/marketplace/developers/{Story.Developer}/revenue_events");
        var plugin = (await api.GetAsync("/v1/marketplace/plugins?status=all")).Arr("data").First()!.Str("id");
        await SendAsync(factory, HttpMethod.Patch, $"/v1/marketplace/plugins/{plugin}", new { description = "Summaries of long documents." });
        await SendAsync(factory, HttpMethod.Delete, $"/v1/marketplace/plugins/{plugin}/installs/{Story.UserB}", null);
        await factory.DrainOutboxAsync();
        await ProductWebhooks.WaitUntilDeliveredAsync(factory, uninstalls);
        await api.GetAsync($"/v1/webhook_endpoints/{uninstalls}");
        var delivery = (await api.GetAsync($"/v1/webhook_endpoints/{uninstalls}/deliveries")).Arr("data").Single()!.Str("id");
        await api.PostAsync($"/v1/webhook_deliveries/{delivery}/retry", null);
        await SendAsync(factory, HttpMethod.Patch, $"/v1/webhook_endpoints/{uninstalls}", new { description = "uninstalls, for the support desk" });
        await api.PostAsync($"/v1/webhook_endpoints/{uninstalls}/rotate_secret", null);
        await SendAsync(factory, HttpMethod.Delete, $"/v1/webhook_endpoints/{uninstalls}", null);
        await api.PostAsync($"/v1/marketplace/plugins/{plugin}/archive", null);

        // Usage reads and writes.
        await api.GetAsync($"/v1/usage/{Story.UserB}/events");
        await api.GetAsync($"/v1/usage/{Story.UserB}/summary?group_by=model");
        await api.GetAsync($"/v1/usage/{Story.UserB}/quotas");
        await api.PostAsync($"/v1/usage/{Story.UserB}/quotas/projects/acquire", new { key = "contract-project" });
        await api.PostAsync($"/v1/usage/{Story.UserB}/quotas/projects/release", new { key = "contract-project" });
        await api.PostAsync($"/v1/usage/{Story.UserB}/quotas/projects/slots/checkout", new { quantity = 1 }, 201);
        await api.PostAsync($"/v1/usage/{Story.UserB}/credits/grants", new { amount = 200, currency = "usd", reason = "contract" }, 201);
        await api.PostAsync("/v1/usage/integrations/litellm", new[] { LiteLlmCall() }, 202);
        await api.GetAsync($"/v1/usage/{Story.UserB}/credits/ledger?limit=2");
        await api.GetAsync($"/v1/usage/{Story.UserB}/credits/grants?limit=2");

        // A void: the story's usage invoice is paid (a paid invoice is refunded, not voided), so a copy of it, for a user
        // with no Stripe customer yet (awaiting_customer: nothing at Stripe to void), is voided.
        await ExecuteAsync(factory, "usage",
            "INSERT INTO \"UsageInvoices\" (\"Id\", \"Number\", \"UserId\", \"Period\", \"Currency\", \"Subtotal\", \"CreditsApplied\", \"AmountDue\", \"Status\", "
            + "\"StripeInvoiceId\", \"StripeCreditItemId\", \"StripeStatus\", \"PaymentAttempts\", \"LastError\", \"LockedUntil\", \"CreatedAt\", \"UpdatedAt\", \"PaidAt\") "
            + "SELECT 'uin_contract_void', 'INV-CONTRACT-0001', 'user_contract_void', \"Period\", \"Currency\", \"Subtotal\", 0, \"Subtotal\", 'awaiting_customer', NULL, NULL, "
            + $"NULL, 0, NULL, NULL, \"CreatedAt\", \"UpdatedAt\", NULL FROM \"UsageInvoices\" WHERE \"UserId\" = '{Story.UserB}'");
        await api.PostAsync("/v1/usage/invoices/uin_contract_void/void", null);

        // Referrals.
        // To B: granted days reach Stripe as a trial of the user's subscription, in the background, and A's subscription
        // must keep the status Stripe gives it for the plan change, cancel and resume below.
        await api.PostAsync($"/v1/referrals/{Story.UserB}/credits/grants", new { days = 3, reason = "support goodwill" }, 201);
        await factory.SettleAsync();

        // Stripe events: one stored event read, delivered again by Stripe (a signed duplicate), and a replay of one
        // marked failed (the admin's way to re-run an event; a processed one is refused).
        var stored = (await api.GetAsync("/v1/stripe_events?type=checkout.session.completed&limit=1")).Arr("data").Single()!.Str("id");
        var payload = (await api.GetAsync($"/v1/stripe_events/{stored}")).Str("payload");
        (await factory.PostStripeWebhookAsync(payload)).EnsureSuccessStatusCode();
        await ExecuteAsync(factory, "subscriptions", $"UPDATE \"StripeEvents\" SET \"Status\" = 'failed' WHERE \"Id\" = '{stored}'");
        await api.PostAsync($"/v1/stripe_events/{stored}/replay", null);

        // A dead letter: the newest delivered Referrals outbox row set aside as if its consumers had failed; replaying it
        // is harmless because every consumer is idempotent.
        await ExecuteAsync(factory, "referrals",
            "UPDATE \"OutboxMessages\" SET \"DeadLetteredAt\" = \"NextAttemptAt\", \"DispatchedAt\" = NULL, \"LastError\" = 'contract test' "
            + "WHERE \"Sequence\" = (SELECT MAX(\"Sequence\") FROM \"OutboxMessages\")");
        var deadLetter = (await api.GetAsync("/v1/admin/dead_letters")).Arr("data").First()!;
        await api.PostAsync($"/v1/admin/dead_letters/{deadLetter.Str("module")}/{deadLetter.Long("sequence")}/replay", null, 202);
        await factory.SettleAsync();

        // Subscriptions: portal, reconcile, then plan change, cancel and resume of A's subscription.
        await api.PostAsync("/v1/subscriptions/portal", new { user_id = Story.UserA, return_url = "https://app.example/account" });
        await api.PostAsync("/v1/subscriptions/reconcile", null);
        await api.PostAsync($"/v1/subscriptions/{Story.UserA}/change_plan", new { plan = "premium", cadence = "monthly" }, 202);
        await api.PostAsync($"/v1/subscriptions/{Story.UserA}/cancel", new { at_period_end = true }, 202);
        await factory.SettleAsync(); // the scheduled cancellation is confirmed by Stripe's webhook
        await api.PostAsync($"/v1/subscriptions/{Story.UserA}/resume", null, 202);

        await SendAsync(factory, HttpMethod.Delete, "/v1/referrals/users/user_contract_erased", null);
    }

    /// <summary>A snapshot file name for <c>"GET /v1/usage/{user_id}/events"</c>: <c>GET_v1_usage_user_id_events</c>.</summary>
    public static string FileNameOf(string route) => NotWord().Replace(route, "_").Trim('_');

    private static async Task SendAsync(MonetizationFactory factory, HttpMethod method, string url, object? body)
    {
        using var admin = factory.CreateAdminClient();
        using var response = await admin.SendJsonAsync(method, url, body, null);
        Assert.That((int)response.StatusCode, Is.InRange(200, 299), $"{method} {url}: {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task ExecuteAsync(MonetizationFactory factory, string module, string sql) =>
        Assert.That(await factory.ExecuteSqlAsync(module, sql), Is.EqualTo(1), sql);

    /// <summary>One successful call as LiteLLM's generic API logger posts it (fields of its StandardLoggingPayload).</summary>
    private static JsonObject LiteLlmCall() => new()
    {
        ["id"] = "chatcmpl-contract-0001",
        ["call_type"] = "acompletion",
        ["status"] = "success",
        ["model"] = Story.Model,
        ["prompt_tokens"] = 120,
        ["completion_tokens"] = 30,
        ["total_tokens"] = 150,
        ["response_cost"] = 0.0,
        ["startTime"] = "2027-03-01 10:00:00.000000",
        ["end_user"] = "",
        ["metadata"] = new JsonObject { ["user_api_key_user_id"] = Story.UserB },
    };

    [GeneratedRegex(@"[^A-Za-z0-9]+")]
    private static partial Regex NotWord();
}
