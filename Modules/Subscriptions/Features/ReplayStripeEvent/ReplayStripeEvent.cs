using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;
using Monetization.Subscriptions.Features.HandleStripeEvents;

namespace Monetization.Subscriptions.Features.ReplayStripeEvent;

/// <summary>
/// <c>POST /v1/stripe_events/{id}/replay</c> (admin): processes a stored event again now, whatever its retry schedule. Only
/// failed, received or ignored events (a processed event would publish its effects twice: 409).
/// </summary>
internal static class ReplayStripeEvent
{
    internal sealed record Request(string EventId) : IRequest<Response>;

    /// <summary>The event's status after the replay, its attempts and last error.</summary>
    internal sealed record Response(string EventId, string Status, int Attempts, string? LastError);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.EventId).Matches("^evt_[A-Za-z0-9_]{1,250}$").WithMessage("id must be a Stripe event id (evt_…).");
    }

    internal sealed class Handler(SubscriptionsDbContext db, StripeEventProcessor processor) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var status = await db.StripeEvents.AsNoTracking().Where(e => e.Id == request.EventId).Select(e => e.Status).FirstOrDefaultAsync(cancellationToken)
                ?? throw ProblemException.NotFound("Stripe event", request.EventId);
            if (status == StripeEventStatuses.Processed)
            {
                throw ProblemException.Conflict("already_processed", $"Event {request.EventId} was processed; replaying it would apply it twice.");
            }

            await processor.ReprocessAsync(request.EventId, force: true, cancellationToken);
            db.ChangeTracker.Clear();
            var after = await db.StripeEvents.AsNoTracking().FirstAsync(e => e.Id == request.EventId, cancellationToken);
            return new Response(after.Id, after.Status, after.Attempts, after.LastError);
        }
    }
}
