using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Delivery;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Features.WebhookEndpoints;

/// <summary>The validation rules endpoint routes share (url, event_types, description, ids).</summary>
internal static class EndpointRules
{
    /// <summary>Most event types on one endpoint.</summary>
    public const int MaxEventTypes = 50;

    /// <summary><c>url</c>: an acceptable target (<see cref="WebhookTargets.Refusal"/>).</summary>
    public static IRuleBuilderOptionsConditions<T, string?> MustBeTarget<T>(this IRuleBuilder<T, string?> rule, WebhookTargets targets) =>
        rule.Custom((url, context) =>
        {
            if (string.IsNullOrWhiteSpace(url))
            {
                context.AddFailure("url", "url is required.");
            }
            else if (targets.Refusal(url) is { } refusal)
            {
                context.AddFailure("url", refusal);
            }
        });

    /// <summary><c>event_types</c>: 1–50 known types (<c>*</c> for all), no repeats.</summary>
    public static IRuleBuilderOptionsConditions<T, IReadOnlyList<string>?> MustBeEventTypes<T>(this IRuleBuilder<T, IReadOnlyList<string>?> rule) =>
        rule.Custom((types, context) =>
        {
            if (types is null || types.Count == 0)
            {
                context.AddFailure("event_types", $"event_types must list 1 to {MaxEventTypes} types, or [\"*\"] for all: {string.Join(", ", WebhookEventTypes.Catalogue)}.");
                return;
            }

            if (types.Count > MaxEventTypes || types.Distinct(StringComparer.Ordinal).Count() != types.Count)
            {
                context.AddFailure("event_types", $"event_types must list 1 to {MaxEventTypes} different types.");
            }

            foreach (var unknown in types.Where(t => t is null || !WebhookEventTypes.IsKnown(t)))
            {
                context.AddFailure("event_types", $"'{unknown}' is not an event type; known: {string.Join(", ", WebhookEventTypes.Catalogue)} (or * for all).");
            }
        });

    /// <summary>An endpoint id: <c>we_…</c> (<see cref="PrefixedId.MustBeIdOf{T}"/>).</summary>
    public static IRuleBuilderOptions<T, string?> MustBeEndpointId<T>(this IRuleBuilder<T, string?> rule) => rule.MustBeIdOf("we", "webhook endpoint");

    /// <summary>The endpoint, tracked, or a 404.</summary>
    public static async Task<WebhookEndpoint> FindAsync(WebhooksDbContext db, string id, CancellationToken ct) =>
        await db.Endpoints.SingleOrDefaultAsync(e => e.Id == id, ct) ?? throw ProblemException.NotFound("Webhook endpoint", id);
}
