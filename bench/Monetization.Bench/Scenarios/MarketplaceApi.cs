using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Monetization.Bench.Scenarios;

/// <summary>The Marketplace routes the read and outbox scenarios set their data up with.</summary>
internal static class MarketplaceApi
{
    /// <summary>
    /// Registers developer <paramref name="developerId"/> (70 % share) and publishes a one-time plugin of
    /// <paramref name="price"/> usd minor units; returns the plugin's id, or null when the Host has no developers route
    /// (answered 404 or 405).
    /// </summary>
    /// <exception cref="InvalidOperationException">Registering or publishing failed otherwise.</exception>
    public static async Task<string?> PublishOneTimePluginAsync(HttpClient admin, string developerId, string slug, string scenario, long price, CancellationToken ct)
    {
        using var developer = await admin.PostAsJsonAsync("/v1/marketplace/developers",
            new { developer_id = developerId, name = "Bench Developer", email = "dev@bench.example", revenue_share_bps = 7000 }, ct);
        if ((int)developer.StatusCode is 404 or 405)
        {
            return null;
        }

        developer.EnsureSuccessStatusCode();
        using var plugin = await admin.PostAsJsonAsync("/v1/marketplace/plugins", new
        {
            developer_id = developerId,
            slug,
            name = "Bench Plugin",
            description = $"One-time plugin of the {scenario} benchmark.",
            pricing = new { model = "one_time", amount = price, currency = "usd" },
        }, ct);
        var json = JsonNode.Parse(await plugin.Content.ReadAsStringAsync(ct));
        return plugin.IsSuccessStatusCode ? (string)json!["id"]! : throw new InvalidOperationException($"publishing the plugin answered {(int)plugin.StatusCode}: {json}");
    }

    /// <summary>How many usd revenue events the earnings answer at <paramref name="earningsRoute"/> counts.</summary>
    public static async Task<long> RevenueEventsAsync(HttpClient admin, string earningsRoute, CancellationToken ct)
    {
        var json = JsonNode.Parse(await admin.GetStringAsync(new Uri(earningsRoute, UriKind.Relative), ct));
        return (long?)json?["totals"]?.AsArray().FirstOrDefault(t => (string?)t?["currency"] == "usd")?["events"] ?? 0;
    }
}
