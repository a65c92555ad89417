using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Webhooks.Data;

namespace Monetization.Webhooks.Features.WebhookEndpoints;

/// <summary><c>GET /v1/webhook_endpoints</c> (admin): endpoints, oldest first, paged (<c>limit</c>, <c>starting_after</c>).</summary>
internal static class ListWebhookEndpoints
{
    internal sealed record Request(string? Limit, string? StartingAfter) : IRequest<Page<WebhookEndpointView>>;

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Limit).MustBeLimit();
            RuleFor(r => r.StartingAfter).MustBeCursor();
        }
    }

    internal sealed class Handler(WebhooksDbContext db) : IRequestHandler<Request, Page<WebhookEndpointView>>
    {
        public async Task<Page<WebhookEndpointView>> Handle(Request request, CancellationToken cancellationToken)
        {
            var query = db.Endpoints.AsNoTracking();
            if (request.StartingAfter is { } after)
            {
                var cursor = await db.Endpoints.AsNoTracking().Where(e => e.Id == after).Select(e => new { e.CreatedAt, e.Id }).SingleOrDefaultAsync(cancellationToken)
                    ?? throw Paging.UnknownCursor("Webhook endpoint", after);
                query = query.Where(e => e.CreatedAt > cursor.CreatedAt || (e.CreatedAt == cursor.CreatedAt && string.Compare(e.Id, cursor.Id) > 0));
            }

            var page = await query.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).ToPageAsync(Paging.LimitOf(request.Limit), cancellationToken);
            return page.Select(WebhookEndpointView.Of);
        }
    }
}
