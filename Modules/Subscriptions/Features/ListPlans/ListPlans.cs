using MediatR;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Subscriptions.Domain;

namespace Monetization.Subscriptions.Features.ListPlans;

/// <summary><c>GET /v1/plans</c>: the plans catalog (no API key needed), by rank.</summary>
internal static class ListPlans
{
    internal sealed record Request : IRequest<Response>;

    /// <summary>The catalog.</summary>
    internal sealed record Response(IReadOnlyList<PlanView> Data);

    /// <summary>A plan: key, display name, rank (higher = upgrade), whether it is paid, its prices and entitlements.</summary>
    internal sealed record PlanView(string Key, string Name, int Rank, bool Paid, IReadOnlyList<PriceView> Prices, PlanEntitlements Entitlements);

    /// <summary>A cadence's price: amount in minor units of currency, Stripe price id (null until resolved), trial days.</summary>
    internal sealed record PriceView(string Cadence, long Amount, string Currency, string? StripePriceId, int TrialDays);

    internal sealed class Handler(PlanCatalog catalog) : IRequestHandler<Request, Response>
    {
        public Task<Response> Handle(Request request, CancellationToken cancellationToken) =>
            Task.FromResult(new Response(catalog.Plans.Select(p => new PlanView(
                p.Key,
                p.Name,
                p.Rank,
                p.IsPaid,
                Cadences.All.Where(p.Prices.ContainsKey).Select(c => p.Prices[c]).Select(x => new PriceView(x.Cadence, x.Amount, x.Currency, catalog.PriceIdOf(p.Key, x.Cadence), x.TrialDays)).ToList(),
                p.Entitlements)).ToList()));
    }
}
