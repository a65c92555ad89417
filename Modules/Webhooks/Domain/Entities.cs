namespace Monetization.Webhooks.Domain;

/// <summary>A URL of the product's that receives public events (<c>we_…</c>), with its signing secret.</summary>
internal sealed class WebhookEndpoint
{
    /// <summary>Id, <c>we_…</c>.</summary>
    public string Id { get; set; } = "";

    /// <summary>Absolute http(s) URL, at most 2,048 characters.</summary>
    public string Url { get; set; } = "";

    /// <summary>The event types it receives, space-separated (<c>*</c> = every type); see <see cref="WebhookEventTypes"/>.</summary>
    public string EventTypes { get; set; } = "";

    /// <summary>The operator's note, at most 500 characters.</summary>
    public string? Description { get; set; }

    /// <summary>Whether deliveries are sent (false after a 410, after failing for the retry window, or by PATCH).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Why it was disabled, in words; null while enabled.</summary>
    public string? DisabledReason { get; set; }

    /// <summary>When it was disabled, UTC.</summary>
    public DateTimeOffset? DisabledAt { get; set; }

    /// <summary>The signing secret, <c>whsec_</c> + base64 of 32 random bytes (Standard Webhooks).</summary>
    public string Secret { get; set; } = "";

    /// <summary>The secret before the last rotation, still signing until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousSecret { get; set; }

    /// <summary>Until when the previous secret signs too, UTC.</summary>
    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }

    /// <summary>The first failed attempt since the last success, UTC; null while deliveries succeed.</summary>
    public DateTimeOffset? FailingSince { get; set; }

    /// <summary>Created, UTC.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last changed, UTC.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The types as a list.</summary>
    public IReadOnlyList<string> EventTypeList => EventTypes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Whether it receives <paramref name="type"/>.</summary>
    public bool Receives(string type) => EventTypeList.Any(t => t == WebhookEventTypes.All || t == type);
}

/// <summary>One public event (<c>msg_…</c>, the Standard Webhooks <c>webhook-id</c>), its body signed and sent as stored.</summary>
internal sealed class WebhookMessage
{
    /// <summary>Id, <c>msg_…</c>: the same across retries and endpoints, derived from the integration event it came from.</summary>
    public string Id { get; set; } = "";

    /// <summary>Public event type (<see cref="WebhookEventTypes"/>).</summary>
    public string Type { get; set; } = "";

    /// <summary>The user it is about, when one applies.</summary>
    public string? UserId { get; set; }

    /// <summary>When what it tells happened, UTC.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The JSON body sent: <c>{id, type, created_at, user_id, data}</c>.</summary>
    public string Payload { get; set; } = "";
}

/// <summary>Statuses of a delivery.</summary>
internal static class DeliveryStatuses
{
    /// <summary>Not yet answered 2xx; attempted when due.</summary>
    public const string Pending = "pending";

    /// <summary>Answered 2xx.</summary>
    public const string Delivered = "delivered";

    /// <summary>Given up: the retry window passed, or the endpoint answered 410 Gone. <c>POST …/retry</c> tries again.</summary>
    public const string Failed = "failed";
}

/// <summary>A message on its way to one endpoint (<c>whd_…</c>), with its attempts.</summary>
internal sealed class WebhookDelivery
{
    /// <summary>Insertion order (the deliveries list, newest first).</summary>
    public long Sequence { get; set; }

    /// <summary>Id, <c>whd_…</c>.</summary>
    public string Id { get; set; } = "";

    /// <summary>The endpoint.</summary>
    public string EndpointId { get; set; } = "";

    /// <summary>The message.</summary>
    public string MessageId { get; set; } = "";

    /// <summary>The message's type (copied for the list).</summary>
    public string EventType { get; set; } = "";

    /// <summary><see cref="DeliveryStatuses"/>.</summary>
    public string Status { get; set; } = DeliveryStatuses.Pending;

    /// <summary>Attempts made.</summary>
    public int Attempts { get; set; }

    /// <summary>Created (in the transaction of the change it tells), UTC.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>After this instant a failed attempt gives up (created + <c>Webhooks:RetryHours</c>; a manual retry moves it to now), UTC.</summary>
    public DateTimeOffset GiveUpAt { get; set; }

    /// <summary>When the next attempt is due, UTC; null once delivered or failed.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>While a worker is sending it: until when it is held, UTC (a Host that dies mid-send lets it go then).</summary>
    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>Last attempt, UTC.</summary>
    public DateTimeOffset? LastAttemptAt { get; set; }

    /// <summary>HTTP status of the last answer, or null when none came (refused, timeout).</summary>
    public int? LastStatusCode { get; set; }

    /// <summary>The last answer's body, at most 1,024 characters.</summary>
    public string? LastResponseBody { get; set; }

    /// <summary>Why the last attempt failed without an answer (connection refused, timeout, target refused).</summary>
    public string? LastError { get; set; }

    /// <summary>When it was answered 2xx, UTC.</summary>
    public DateTimeOffset? DeliveredAt { get; set; }
}
