using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Subscriptions.Data;

namespace Monetization.Subscriptions.Features.GetStripeEvent;

/// <summary>
/// <c>GET /v1/stripe_events/{id}</c> (admin): one stored Stripe event with its processing state and its payload exactly as
/// Stripe sent it (the raw body; issue 19's dashboard shows it). 404 when no event of that id was received.
/// </summary>
internal static class GetStripeEvent
{
    internal sealed record Request(string EventId) : IRequest<Response>;

    /// <summary>A stored event.</summary>
    /// <param name="Id">Stripe's <c>evt_…</c>.</param>
    /// <param name="Type">Stripe event type.</param>
    /// <param name="Created">Stripe's <c>created</c>, UTC.</param>
    /// <param name="ObjectId">Id of <c>data.object</c>.</param>
    /// <param name="Account">Connect: the connected account it came from.</param>
    /// <param name="Livemode">Stripe's <c>livemode</c>.</param>
    /// <param name="Status"><c>received</c>, <c>processed</c>, <c>ignored</c> or <c>failed</c>.</param>
    /// <param name="Attempts">Processing attempts.</param>
    /// <param name="LastError">Last processing failure.</param>
    /// <param name="ReceivedAt">UTC.</param>
    /// <param name="ProcessedAt">UTC.</param>
    /// <param name="NextAttemptAt">When a failed event is retried next, UTC.</param>
    /// <param name="Payload">The raw body as received (a JSON string).</param>
    internal sealed record Response(
        string Id,
        string Type,
        DateTimeOffset Created,
        string? ObjectId,
        string? Account,
        bool Livemode,
        string Status,
        int Attempts,
        string? LastError,
        DateTimeOffset ReceivedAt,
        DateTimeOffset? ProcessedAt,
        DateTimeOffset? NextAttemptAt,
        string Payload);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.EventId).Matches("^evt_[A-Za-z0-9_]{1,250}$").WithMessage("id must be a Stripe event id (evt_…).");
    }

    internal sealed class Handler(SubscriptionsDbContext db) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken) =>
            await db.StripeEvents.AsNoTracking().Where(e => e.Id == request.EventId)
                .Select(e => new Response(e.Id, e.Type, e.Created, e.ObjectId, e.Account, e.Livemode, e.Status, e.Attempts, e.LastError, e.ReceivedAt, e.ProcessedAt, e.NextAttemptAt, e.Payload))
                .FirstOrDefaultAsync(cancellationToken)
            ?? throw ProblemException.NotFound("Stripe event", request.EventId);
    }
}
