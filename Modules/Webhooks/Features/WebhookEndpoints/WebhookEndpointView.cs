using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Features.WebhookEndpoints;

/// <summary>An endpoint as the API shows it (never its secret, which only creation and rotation answer).</summary>
/// <param name="Id"><c>we_…</c>.</param>
/// <param name="Url">Where deliveries are POSTed.</param>
/// <param name="EventTypes">The types it receives (<c>*</c> = all).</param>
/// <param name="Description">The operator's note.</param>
/// <param name="Enabled">Whether deliveries are sent.</param>
/// <param name="DisabledReason">Why not (a 410 answer, failing for the retry window, or an operator's PATCH), else null.</param>
/// <param name="DisabledAt">When it was disabled, UTC.</param>
/// <param name="FailingSince">The first failed attempt since the last success, UTC; null while it answers 2xx.</param>
/// <param name="PreviousSecretExpiresAt">After a rotation: until when the previous secret signs too, UTC.</param>
/// <param name="CreatedAt">Created, UTC.</param>
/// <param name="UpdatedAt">Last changed, UTC.</param>
internal sealed record WebhookEndpointView(
    string Id,
    string Url,
    IReadOnlyList<string> EventTypes,
    string? Description,
    bool Enabled,
    string? DisabledReason,
    DateTimeOffset? DisabledAt,
    DateTimeOffset? FailingSince,
    DateTimeOffset? PreviousSecretExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Always <c>webhook_endpoint</c>.</summary>
    public string Object => "webhook_endpoint";

    /// <summary>The view of a stored endpoint (Mapster, <see cref="WebhooksMapping"/>).</summary>
    public static WebhookEndpointView Of(WebhookEndpoint endpoint) => Mapster.TypeAdapter.Adapt<WebhookEndpointView>(endpoint, WebhooksMapping.Config);
}
