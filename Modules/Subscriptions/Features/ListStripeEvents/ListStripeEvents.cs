using Mapster;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;

namespace Monetization.Subscriptions.Features.ListStripeEvents;

/// <summary><c>GET /v1/stripe_events?status=&amp;type=&amp;limit=&amp;starting_after=</c> (admin): stored Stripe events, newest first, cursor-paginated.</summary>
internal static class ListStripeEvents
{
    internal sealed record Request(string? Status, string? Type, string? Limit, string? StartingAfter) : IRequest<Response>;

    /// <summary>A page of events.</summary>
    internal sealed record Response(IReadOnlyList<EventView> Data, bool HasMore);

    /// <summary>A stored event (without its payload).</summary>
    internal sealed record EventView(string Id, string Type, DateTimeOffset Created, string? ObjectId, string Status, int Attempts, string? LastError, DateTimeOffset ReceivedAt, DateTimeOffset? ProcessedAt, DateTimeOffset? NextAttemptAt);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Status).Must(s => StripeEventStatuses.All.Contains(s)).When(r => r.Status is not null)
                .WithMessage($"status must be one of {string.Join(", ", StripeEventStatuses.All)}.");
            RuleFor(r => r.Limit).MustBeLimit();
            RuleFor(r => r.StartingAfter).MustBeCursor();
        }
    }

    internal sealed class Handler(SubscriptionsDbContext db) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var limit = Paging.LimitOf(request.Limit);
            var query = db.StripeEvents.AsNoTracking();
            if (request.Status is not null)
            {
                query = query.Where(e => e.Status == request.Status);
            }

            if (request.Type is not null)
            {
                query = query.Where(e => e.Type == request.Type);
            }

            if (request.StartingAfter is not null)
            {
                var cursor = await db.StripeEvents.AsNoTracking().Where(e => e.Id == request.StartingAfter).Select(e => new { e.ReceivedAt, e.Id }).FirstOrDefaultAsync(cancellationToken)
                    ?? throw Paging.UnknownCursor("Stripe event", request.StartingAfter);
                query = query.Where(e => e.ReceivedAt < cursor.ReceivedAt || (e.ReceivedAt == cursor.ReceivedAt && string.Compare(e.Id, cursor.Id) < 0));
            }

            var page = await query.OrderByDescending(e => e.ReceivedAt).ThenByDescending(e => e.Id)
                .ProjectToType<EventView>(SubscriptionsMapping.Config)
                .ToPageAsync(limit, cancellationToken);
            return new Response(page.Data, page.HasMore);
        }
    }
}
