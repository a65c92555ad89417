using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Features.WebhookEndpoints;

/// <summary><c>DELETE /v1/webhook_endpoints/{id}</c> (admin): removes the endpoint and its deliveries (404 when unknown); nothing more is sent to it.</summary>
internal static class DeleteWebhookEndpoint
{
    internal sealed record Request(string Id) : IRequest<Response>;

    /// <summary>Stripe's deletion answer.</summary>
    /// <param name="Id">The endpoint's id.</param>
    /// <param name="Deleted">Always true.</param>
    internal sealed record Response(string Id, bool Deleted)
    {
        /// <summary>Always <c>webhook_endpoint</c>.</summary>
        public string Object => "webhook_endpoint";
    }

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.Id).MustBeEndpointId();
    }

    internal sealed class Handler(WebhooksDbContext db, EndpointDirectory directory) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var endpoint = await EndpointRules.FindAsync(db, request.Id, cancellationToken);
            await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
            await db.Deliveries.Where(d => d.EndpointId == endpoint.Id).ExecuteDeleteAsync(cancellationToken);
            db.Endpoints.Remove(endpoint);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            directory.Invalidate();
            return new Response(endpoint.Id, true);
        }
    }
}
