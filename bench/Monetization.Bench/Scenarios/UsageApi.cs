using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Monetization.Bench.Payloads;

namespace Monetization.Bench.Scenarios;

/// <summary>The Usage module's routes as the Usage issue defines them.</summary>
internal static class UsageApi
{
    public const string IngestRoute = "/v1/usage/events";

    public static string ConsumptionRoute(string user, string month) => $"/v1/usage/{Uri.EscapeDataString(user)}/consumption?month={month}";

    public static Task<Outcome> PostBatchAsync(HttpClient http, byte[] body, long events, CancellationToken ct)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return LoadDriver.SendAsync(http, new HttpRequestMessage(HttpMethod.Post, IngestRoute) { Content = content }, events, ct);
    }

    public static Task<Outcome> GetAsync(HttpClient http, string path, CancellationToken ct) =>
        LoadDriver.SendAsync(http, new HttpRequestMessage(HttpMethod.Get, path), 1, ct);

    /// <summary>
    /// Compares the consumption answer of each user with the expected totals, polling up to <paramref name="wait"/> in
    /// case rollups trail ingestion. Returns the mismatches (empty when exact) and whether the answer's shape was understood.
    /// </summary>
    public static async Task<(List<string> Mismatches, bool ShapeKnown, string? Sample)> VerifyTotalsAsync(
        HttpClient http, UsageWorkload workload, Dictionary<(string User, string Meter), long> expected, IEnumerable<string> users, TimeSpan wait, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency);
        var userList = users.ToList();
        while (true)
        {
            var mismatches = new List<string>();
            var shapeKnown = true;
            string? sample = null;
            foreach (var user in userList)
            {
                using var response = await http.GetAsync(new Uri(ConsumptionRoute(user, workload.Month), UriKind.Relative), ct);
                var text = await response.Content.ReadAsStringAsync(ct);
                sample ??= text.Length > 600 ? text[..600] : text;
                if (!response.IsSuccessStatusCode)
                {
                    mismatches.Add($"{user}: HTTP {(int)response.StatusCode}");
                    continue;
                }

                var json = JsonNode.Parse(text);
                foreach (var meter in new[] { UsageWorkload.ApiCalls, UsageWorkload.Tokens })
                {
                    var want = expected.GetValueOrDefault((user, meter));
                    var got = ConsumptionJson.Total(json, meter);
                    if (got is null)
                    {
                        shapeKnown = false;
                        mismatches.Add($"{user}/{meter}: no total found in the answer");
                    }
                    else if (got != want)
                    {
                        mismatches.Add($"{user}/{meter}: expected {want}, got {got}");
                    }
                }
            }

            if (mismatches.Count == 0 || !shapeKnown || Stopwatch.GetTimestamp() > deadline)
            {
                return (mismatches, shapeKnown, sample);
            }

            await Task.Delay(500, ct);
        }
    }
}
