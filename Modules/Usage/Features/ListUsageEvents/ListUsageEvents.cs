using Mapster;
using System.Text.Json;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Http;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.ListUsageEvents;

/// <summary>
/// <c>GET /v1/usage/{user_id}/events?from=&amp;to=&amp;meter=&amp;limit=&amp;starting_after=</c> (issue 20): a user's raw usage
/// events as stored, newest first (by event timestamp, then event id), paged by the one convention (<see cref="Paging"/>;
/// the cursor is an <c>event_id</c>). <c>from</c>/<c>to</c>: see <see cref="TimeRange"/>; both optional. Read through the
/// index on (user, timestamp).
/// </summary>
internal static class ListUsageEvents
{
    /// <summary>The query.</summary>
    internal sealed record Request(string UserId, string? From, string? To, string? Meter, string? Limit, string? StartingAfter) : IRequest<Page<EventView>>;

    /// <summary>A stored usage event.</summary>
    /// <param name="EventId">The sender's id (for LiteLLM, its call id).</param>
    /// <param name="UserId">User.</param>
    /// <param name="Meter">Meter key.</param>
    /// <param name="Quantity">Quantity counted (tokens: input + output).</param>
    /// <param name="Timestamp">When it happened, UTC.</param>
    /// <param name="Period">Billing period <c>YYYY-MM</c>.</param>
    /// <param name="Properties">Its properties as sent, or null.</param>
    /// <param name="ReceivedAt">When it was received, UTC.</param>
    internal sealed record EventView(string EventId, string UserId, string Meter, long Quantity, DateTimeOffset Timestamp, string Period, JsonElement? Properties, DateTimeOffset ReceivedAt);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator(MeterCatalog meters)
        {
            RuleFor(r => r.UserId).MustBeUserId();
            RuleFor(r => r.From).Must(TimeRange.IsValid).WithMessage("from " + TimeRange.Message);
            RuleFor(r => r.To).Must(TimeRange.IsValid).WithMessage("to " + TimeRange.Message);
            RuleFor(r => r.To).Must((r, to) => TimeRange.Parse(to, true, DateTimeOffset.MaxValue) > TimeRange.Parse(r.From, false, DateTimeOffset.MinValue))
                .When(r => r.From is not null && r.To is not null && TimeRange.IsValid(r.From) && TimeRange.IsValid(r.To))
                .WithMessage("to must be after from.");
            RuleFor(r => r.Meter).Must(m => meters.TryGet(m!, out _)).When(r => r.Meter is not null)
                .WithMessage(r => $"meter '{r.Meter}' is not a configured meter ({string.Join(", ", meters.All.Select(m => m.Key))}).");
            RuleFor(r => r.Limit).MustBeLimit();
            RuleFor(r => r.StartingAfter).MustBeCursor();
        }
    }

    internal sealed class Handler(UsageDbContext db) : IRequestHandler<Request, Page<EventView>>
    {
        public async Task<Page<EventView>> Handle(Request request, CancellationToken cancellationToken)
        {
            var query = db.Events.AsNoTracking().Where(e => e.UserId == request.UserId);
            if (request.From is not null)
            {
                var from = TimeRange.Parse(request.From, false, default);
                query = query.Where(e => e.Timestamp >= from);
            }

            if (request.To is not null)
            {
                var to = TimeRange.Parse(request.To, true, default);
                query = query.Where(e => e.Timestamp < to);
            }

            if (request.Meter is not null)
            {
                query = query.Where(e => e.Meter == request.Meter);
            }

            if (request.StartingAfter is { } after)
            {
                var cursor = await db.Events.AsNoTracking().Where(e => e.EventId == after && e.UserId == request.UserId)
                    .Select(e => new { e.EventId, e.Timestamp }).SingleOrDefaultAsync(cancellationToken)
                    ?? throw Paging.UnknownCursor("Usage event", after);
                query = query.Where(e => e.Timestamp < cursor.Timestamp || (e.Timestamp == cursor.Timestamp && string.Compare(e.EventId, cursor.EventId) < 0));
            }

            var page = await query.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.EventId).ToPageAsync(Paging.LimitOf(request.Limit), cancellationToken);
            return page.Select(e => e.Adapt<EventView>(UsageMapping.Config));
        }
    }
}
