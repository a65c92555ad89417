using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Http;
using Monetization.Webhooks.Data;

namespace Monetization.Webhooks.Domain;

/// <summary>A public event about to be told to the product.</summary>
/// <param name="Type">One of <see cref="WebhookEventTypes"/>.</param>
/// <param name="UserId">The user it is about, when one applies.</param>
/// <param name="OccurredAt">When it happened, UTC (the integration event's time).</param>
/// <param name="Data">The <c>data</c> object, serialized with the API's snake_case conventions.</param>
internal sealed record PublicEvent(string Type, string? UserId, DateTimeOffset OccurredAt, object Data);

/// <summary>The body of every outgoing webhook (Standard Webhooks leaves the body to the sender).</summary>
/// <param name="Id">The message id, also the <c>webhook-id</c> header.</param>
/// <param name="Type">The public event type.</param>
/// <param name="CreatedAt">When it happened, UTC.</param>
/// <param name="UserId">The user it is about, or null.</param>
/// <param name="Data">What happened, in the API's shapes.</param>
internal sealed record WebhookBody(string Id, string Type, DateTimeOffset CreatedAt, string? UserId, object Data);

/// <summary>
/// Writes public events as messages and one pending delivery per enabled endpoint that receives their type, in the
/// caller's unit of work (the consumer's transaction, with its inbox row), so a delivery exists exactly when the change
/// it tells was consumed. Message ids derive from the integration event and the type, so the same event never becomes
/// two messages.
/// </summary>
internal sealed class WebhookFanOut(EndpointDirectory directory, IOptions<WebhooksOptions> options)
{
    /// <summary>The endpoint list consumers ask before a transaction.</summary>
    public EndpointDirectory Directory => directory;

    /// <summary>Adds messages and deliveries for <paramref name="events"/> to <paramref name="db"/> (saved by the caller).</summary>
    /// <returns>How many deliveries were added.</returns>
    public async Task<int> AddAsync(WebhooksDbContext db, Guid sourceEventId, IReadOnlyList<PublicEvent> events, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(events);
        var endpoints = await db.Endpoints.AsNoTracking().Where(e => e.Enabled).ToListAsync(ct);
        var added = 0;
        foreach (var evt in events)
        {
            var receivers = endpoints.Where(e => e.Receives(evt.Type)).ToList();
            if (receivers.Count == 0)
            {
                continue;
            }

            var id = MessageId(sourceEventId, evt.Type);
            if (await db.Messages.AnyAsync(m => m.Id == id, ct))
            {
                continue;
            }

            var payload = JsonSerializer.Serialize(new WebhookBody(id, evt.Type, evt.OccurredAt, evt.UserId, evt.Data), ApiJson.Options);
            db.Messages.Add(new WebhookMessage { Id = id, Type = evt.Type, UserId = evt.UserId, CreatedAt = evt.OccurredAt, Payload = payload });
            foreach (var endpoint in receivers)
            {
                db.Deliveries.Add(new WebhookDelivery
                {
                    Id = PrefixedId.New("whd"),
                    EndpointId = endpoint.Id,
                    MessageId = id,
                    EventType = evt.Type,
                    Status = DeliveryStatuses.Pending,
                    CreatedAt = now,
                    GiveUpAt = now.AddHours(options.Value.RetryHours),
                    NextAttemptAt = now,
                });
                added++;
            }
        }

        return added;
    }

    /// <summary><c>msg_</c> + 24 hex characters of SHA-256(integration event id, type): stable across redeliveries.</summary>
    public static string MessageId(Guid sourceEventId, string type) =>
        "msg_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{sourceEventId:N}:{type}")))[..24];
}
