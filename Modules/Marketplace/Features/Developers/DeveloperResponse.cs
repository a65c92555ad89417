using Mapster;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Developers;

/// <summary>A developer as the API shows it.</summary>
/// <param name="Id">Developer id.</param>
/// <param name="Name">Display name.</param>
/// <param name="Email">Contact e-mail.</param>
/// <param name="RevenueShareBps">The developer's share of each revenue event, basis points.</param>
/// <param name="StripeAccountId">Connected account (<c>acct_…</c>), once onboarding started.</param>
/// <param name="PayoutsEnabled">Stripe's <c>payouts_enabled</c>: payouts are sent only when true.</param>
/// <param name="ChargesEnabled">Stripe's <c>charges_enabled</c>.</param>
/// <param name="DetailsSubmitted">Stripe's <c>details_submitted</c>.</param>
/// <param name="CreatedAt">Registration time, UTC.</param>
internal sealed record DeveloperResponse(
    string Id,
    string Name,
    string Email,
    int RevenueShareBps,
    string? StripeAccountId,
    bool PayoutsEnabled,
    bool ChargesEnabled,
    bool DetailsSubmitted,
    DateTimeOffset CreatedAt)
{
    /// <summary>The answer for a developer (Mapster, <see cref="MarketplaceMapping"/>).</summary>
    public static DeveloperResponse From(Developer developer) => developer.Adapt<DeveloperResponse>(MarketplaceMapping.Config);
}
