using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Monetization.Stripe;
using Npgsql;
using NpgsqlTypes;

namespace Monetization.Bench.Baselines;

/// <summary>
/// The webhook-intake baseline (issue 8): a bare Kestrel endpoint in the bench process that verifies
/// <c>Stripe-Signature</c> with <see cref="StripeWebhookSignature"/> (the Host's own check, Stripe.net's <c>EventUtility.ValidateSignature</c>), reads the event's id, type
/// and created from the envelope, and inserts one row (with the raw payload, as an event store keeps it) into an SQLite
/// table whose primary key is the event id; a duplicate is a no-op. 200 on success, 400 on a bad signature.
/// Writers take an in-process gate (SQLite has one writer per file; without the gate, concurrent connections meet
/// SQLITE_BUSY and Microsoft.Data.Sqlite retries after sleeping, which would make the baseline needlessly slow).
/// On PostgreSQL (issue 17, a connection string given) the row goes into the run's baseline database with one
/// autocommitted <c>INSERT … ON CONFLICT (event_id) DO NOTHING</c> per event over a pooled <see cref="NpgsqlDataSource"/>,
/// no gate: the database's own concurrency.
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

    private const string PostgresSchema = """
        CREATE TABLE IF NOT EXISTS stripe_events (
            event_id text NOT NULL PRIMARY KEY,
            type text NOT NULL,
            created bigint NOT NULL,
            received_at timestamptz NOT NULL,
            payload bytea NOT NULL);
        """;

    private readonly WebApplication _app;
    private readonly NpgsqlDataSource? _postgres;

    private WebhookBaseline(WebApplication app, Uri baseAddress, string connectionString, NpgsqlDataSource? postgres)
    {
        _app = app;
        BaseAddress = baseAddress;
        ConnectionString = connectionString;
        _postgres = postgres;
    }

    public Uri BaseAddress { get; }

    public string ConnectionString { get; }

    public const string Path = "/webhook";

    /// <summary>Starts the endpoint; <paramref name="postgres"/> (a database's connection string) stores on PostgreSQL instead of SQLite.</summary>
    public static async Task<WebhookBaseline> StartAsync(string secret, string directory, string? postgres, CancellationToken ct)
    {
        NpgsqlDataSource? source = null;
        var connectionString = postgres ?? Sqlite.ConnectionString(System.IO.Path.Combine(directory, "baseline-webhooks.db"));
        if (postgres is null)
        {
            await Sqlite.CreateAsync(connectionString, Schema, ct);
        }
        else
        {
            source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(postgres) { MaxPoolSize = 64 }.ConnectionString);
            await using var create = source.CreateCommand(PostgresSchema);
            await create.ExecuteNonQueryAsync(ct);
        }

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
            if (source is not null)
            {
                await using var row = source.CreateCommand("INSERT INTO stripe_events (event_id, type, created, received_at, payload) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING");
                row.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
                row.Parameters.Add(new NpgsqlParameter<string> { TypedValue = type });
                row.Parameters.Add(new NpgsqlParameter<long> { TypedValue = created });
                row.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = DateTime.UtcNow, NpgsqlDbType = NpgsqlDbType.TimestampTz });
                row.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = body.ToArray() });
                await row.ExecuteNonQueryAsync(context.RequestAborted);
                context.Response.StatusCode = 200;
                await context.Response.WriteAsync("{\"received\":true}", context.RequestAborted);
                return;
            }

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
        return new WebhookBaseline(app, baseAddress, connectionString, source);
    }

    /// <summary>Rows stored (to prove every distinct event landed once).</summary>
    public async Task<long> CountAsync(CancellationToken ct)
    {
        if (_postgres is not null)
        {
            await using var count = _postgres.CreateCommand("SELECT count(*) FROM stripe_events");
            return (long)(await count.ExecuteScalarAsync(ct))!;
        }

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
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
