using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Monetization.Bench.Baselines;

/// <summary>
/// The baseline of the read scenarios (consumption, earnings): a bare Kestrel endpoint in the bench process that answers
/// <c>GET /rollup/{key}</c> with one primary-key SELECT from SQLite, returning a stored JSON document — the same bytes
/// the Host answered for that key. It is the floor for "read a pre-aggregated answer over HTTP": no auth, no routing
/// conventions, no aggregation.
/// </summary>
internal sealed class ReadBaseline : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ReadBaseline(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<ReadBaseline> StartAsync(string directory, IReadOnlyDictionary<string, string> documents, CancellationToken ct)
    {
        var connectionString = Sqlite.ConnectionString(Path.Combine(directory, "baseline-rollups.db"));
        await Sqlite.CreateAsync(connectionString, "CREATE TABLE IF NOT EXISTS rollups (key TEXT NOT NULL PRIMARY KEY, body TEXT NOT NULL);", ct);
        await using (var connection = await Sqlite.OpenAsync(connectionString, ct))
        {
            foreach (var (key, body) in documents)
            {
                await using var insert = connection.CreateCommand();
                insert.CommandText = "INSERT OR REPLACE INTO rollups (key, body) VALUES ($k, $b)";
                insert.Parameters.AddWithValue("$k", key);
                insert.Parameters.AddWithValue("$b", body);
                await insert.ExecuteNonQueryAsync(ct);
            }
        }

        var (app, baseAddress) = BareServer.Create();
        app.MapGet("/rollup/{key}", async (HttpContext context, string key) =>
        {
            await using var connection = await Sqlite.OpenAsync(connectionString, context.RequestAborted);
            await using var select = connection.CreateCommand();
            select.CommandText = "SELECT body FROM rollups WHERE key = $k";
            select.Parameters.AddWithValue("$k", key);
            if (await select.ExecuteScalarAsync(context.RequestAborted) is not string body)
            {
                context.Response.StatusCode = 404;
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body, context.RequestAborted);
        });
        await app.StartAsync(ct);
        return new ReadBaseline(app, baseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
