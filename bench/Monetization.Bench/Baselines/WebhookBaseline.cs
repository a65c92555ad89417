using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Monetization.Stripe;

namespace Monetization.Bench.Baselines;

/// <summary>
/// The webhook-intake baseline (issue 8): a bare Kestrel endpoint in the bench process that verifies
/// <c>Stripe-Signature</c> with <see cref="StripeWebhookSignature"/> (the Host's own check, Stripe.net's <c>EventUtility.ValidateSignature</c>), reads the event's id, type
/// and created from the envelope, and inserts one row (with the raw payload, as an event store keeps it) into an SQLite
/// table whose primary key is the event id; a duplicate is a no-op. 200 on success, 400 on a bad signature.
/// Writers take an in-process gate (SQLite has one writer per file; without the gate, concurrent connections meet
/// SQLITE_BUSY and Microsoft.Data.Sqlite retries after sleeping, which would make the baseline needlessly slow).
/// </summary>
internal sealed class WebhookBaseline : IAsyncDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS stripe_events (
            event_id TEXT NOT NULL PRIMARY KEY,
            type TEXT NOT NULL,
            created INTEGER NOT NULL,
            received_at INTEGER NOT NULL,
            payload BLOB NOT NULL);
        """;

    private readonly WebApplication _app;

    private WebhookBaseline(WebApplication app, Uri baseAddress, string connectionString)
    {
        _app = app;
        BaseAddress = baseAddress;
        ConnectionString = connectionString;
    }

    public Uri BaseAddress { get; }

    public string ConnectionString { get; }

    public const string Path = "/webhook";

    public static async Task<WebhookBaseline> StartAsync(string secret, string directory, CancellationToken ct)
    {
        var connectionString = Sqlite.ConnectionString(System.IO.Path.Combine(directory, "baseline-webhooks.db"));
        await Sqlite.CreateAsync(connectionString, Schema, ct);
        var signature = new StripeWebhookSignature(Options.Create(new StripeOptions { WebhookSecrets = [secret] }), TimeProvider.System);
        var writer = new SemaphoreSlim(1, 1);
        var (app, baseAddress) = BareServer.Create();
        app.MapPost(Path, async context =>
        {
            using var buffer = new MemoryStream((int)(context.Request.ContentLength ?? 4096));
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
            try
            {
                signature.Verify(System.Text.Encoding.UTF8.GetString(body.Span), context.Request.Headers["Stripe-Signature"]);
            }
            catch (StripeSignatureVerificationException)
            {
                context.Response.StatusCode = 400;
                return;
            }

            var (id, type, created) = ReadEnvelope(body.Span);
            await using var connection = await Sqlite.OpenAsync(connectionString, context.RequestAborted);
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO stripe_events (event_id, type, created, received_at, payload) VALUES ($id, $type, $created, $now, $payload) ON CONFLICT (event_id) DO NOTHING";
            insert.Parameters.AddWithValue("$id", id);
            insert.Parameters.AddWithValue("$type", type);
            insert.Parameters.AddWithValue("$created", created);
            insert.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.UtcTicks);
            insert.Parameters.AddWithValue("$payload", body.ToArray());
            await writer.WaitAsync(context.RequestAborted);
            try
            {
                await insert.ExecuteNonQueryAsync(context.RequestAborted);
            }
            finally
            {
                writer.Release();
            }

            context.Response.StatusCode = 200;
            await context.Response.WriteAsync("{\"received\":true}", context.RequestAborted);
        });
        await app.StartAsync(ct);
        return new WebhookBaseline(app, baseAddress, connectionString);
    }

    /// <summary>Rows stored (to prove every distinct event landed once).</summary>
    public async Task<long> CountAsync(CancellationToken ct)
    {
        await using var connection = await Sqlite.OpenAsync(ConnectionString, ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM stripe_events";
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static (string Id, string Type, long Created) ReadEnvelope(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        string? id = null, type = null;
        long created = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    id = reader.GetString();
                }
                else if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    type = reader.GetString();
                }
                else if (reader.ValueTextEquals("created"u8))
                {
                    reader.Read();
                    created = reader.GetInt64();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }

        return (id ?? throw new JsonException("event without id"), type ?? "", created);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
