using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Features.WebhookEndpoints;

namespace Monetization.Webhooks.Features.WebhookDeliveries;

/// <summary>
/// <c>GET /v1/webhook_endpoints/{id}/deliveries</c> (admin): the endpoint's deliveries, newest first, paged
/// (<c>limit</c>, <c>starting_after</c> = a delivery id): status, attempts, the last answer's code and body, the next attempt.
/// </summary>
internal static class ListWebhookDeliveries
{
    internal sealed record Request(string EndpointId, string? Limit, string? StartingAfter) : IRequest<Page<WebhookDeliveryView>>;

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.EndpointId).MustBeEndpointId();
            RuleFor(r => r.Limit).MustBeLimit();
            RuleFor(r => r.StartingAfter).MustBeCursor();
        }
    }

    internal sealed class Handler(WebhooksDbContext db) : IRequestHandler<Request, Page<WebhookDeliveryView>>
    {
        public async Task<Page<WebhookDeliveryView>> Handle(Request request, CancellationToken cancellationToken)
        {
            _ = await EndpointRules.FindAsync(db, request.EndpointId, cancellationToken);
            var query = db.Deliveries.AsNoTracking().Where(d => d.EndpointId == request.EndpointId);
            if (request.StartingAfter is { } after)
            {
                var cursor = await query.Where(d => d.Id == after).Select(d => (long?)d.Sequence).SingleOrDefaultAsync(cancellationToken)
                    ?? throw Paging.UnknownCursor("Webhook delivery", after);
                query = query.Where(d => d.Sequence < cursor);
            }

            var page = await query.OrderByDescending(d => d.Sequence).ToPageAsync(Paging.LimitOf(request.Limit), cancellationToken);
            return page.Select(WebhookDeliveryView.Of);
        }
    }
}
