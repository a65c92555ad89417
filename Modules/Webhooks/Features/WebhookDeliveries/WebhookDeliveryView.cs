using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Features.WebhookDeliveries;

/// <summary>One delivery as the API shows it.</summary>
/// <param name="Id"><c>whd_…</c>.</param>
/// <param name="EndpointId">The endpoint.</param>
/// <param name="MessageId">The event's id (<c>msg_…</c>, the <c>webhook-id</c> header).</param>
/// <param name="EventType">The public event type.</param>
/// <param name="Status"><c>pending</c>, <c>delivered</c> or <c>failed</c>.</param>
/// <param name="Attempts">Attempts made.</param>
/// <param name="LastStatusCode">HTTP status of the last answer; null when none came.</param>
/// <param name="LastResponseBody">The last answer's body, at most 1,024 characters.</param>
/// <param name="LastError">Why the last attempt got no answer (refused, timeout, internal target).</param>
/// <param name="NextAttemptAt">When it is tried next, UTC; null once delivered or failed.</param>
/// <param name="LastAttemptAt">Last attempt, UTC.</param>
/// <param name="DeliveredAt">When it was answered 2xx, UTC.</param>
/// <param name="CreatedAt">Created, UTC.</param>
internal sealed record WebhookDeliveryView(
    string Id,
    string EndpointId,
    string MessageId,
    string EventType,
    string Status,
    int Attempts,
    int? LastStatusCode,
    string? LastResponseBody,
    string? LastError,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset CreatedAt)
{
    /// <summary>Always <c>webhook_delivery</c>.</summary>
    public string Object => "webhook_delivery";

    /// <summary>The view of a stored delivery (Mapster, <see cref="WebhooksMapping"/>).</summary>
    public static WebhookDeliveryView Of(WebhookDelivery delivery) => Mapster.TypeAdapter.Adapt<WebhookDeliveryView>(delivery, WebhooksMapping.Config);
}
