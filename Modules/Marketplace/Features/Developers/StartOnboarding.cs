using StripeNet = Stripe;
using Monetization.Stripe;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Http;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Developers;

/// <summary>
/// POST /v1/marketplace/developers/{id}/onboarding: creates the developer's Stripe Express connected account once
/// (idempotency key <c>marketplace:developer:{id}:account</c>, so concurrent calls create one), and returns a fresh
/// account link (single-use, short-lived) each time. Payout readiness then follows <c>ConnectedAccountUpdated</c>.
/// </summary>
internal static class StartOnboarding
{
    internal sealed record Request(string DeveloperId) : IRequest<Response>;

    /// <summary>The onboarding link.</summary>
    /// <param name="Url">Stripe-hosted onboarding page; send the developer there.</param>
    /// <param name="StripeAccountId">The connected account.</param>
    /// <param name="ExpiresAt">When the link expires, UTC.</param>
    internal sealed record Response(string Url, string StripeAccountId, DateTimeOffset? ExpiresAt);

    internal sealed class Handler(MarketplaceDbContext db, StripeNet.StripeClient stripe, IOptions<MarketplaceOptions> options) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var developer = await db.Developers.SingleOrDefaultAsync(d => d.Id == request.DeveloperId, cancellationToken)
                ?? throw ProblemException.NotFound("Developer", request.DeveloperId);
            if (developer.StripeAccountId is null)
            {
                var account = await stripe.V1.Accounts.CreateAsync(
                    new StripeNet.AccountCreateOptions
                    {
                        Type = "express",
                        Country = options.Value.ConnectCountry,
                        Email = developer.Email,
                        Capabilities = new StripeNet.AccountCapabilitiesOptions { Transfers = new StripeNet.AccountCapabilitiesTransfersOptions { Requested = true } },
                        Metadata = new Dictionary<string, string> { ["developer_id"] = developer.Id },
                    },
                    new StripeNet.RequestOptions { IdempotencyKey = $"marketplace:developer:{developer.Id}:account" },
                    cancellationToken);
                developer.StripeAccountId = account.Id;
                developer.PayoutsEnabled = account.PayoutsEnabled;
                developer.ChargesEnabled = account.ChargesEnabled;
                developer.DetailsSubmitted = account.DetailsSubmitted;
                await db.SaveChangesAsync(cancellationToken);
            }

            var link = await stripe.V1.AccountLinks.CreateAsync(
                new StripeNet.AccountLinkCreateOptions
                {
                    Account = developer.StripeAccountId,
                    RefreshUrl = options.Value.OnboardingRefreshUrl,
                    ReturnUrl = options.Value.OnboardingReturnUrl,
                    Type = "account_onboarding",
                },
                cancellationToken: cancellationToken);
            return new Response(link.Url, developer.StripeAccountId, StripeDates.Utc(link.ExpiresAt));
        }
    }
}
