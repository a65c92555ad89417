using Mapster;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Installs;

/// <summary>An install as the API shows it.</summary>
/// <param name="InstallId">Install id (<c>ins_…</c>).</param>
/// <param name="PluginId">The plugin.</param>
/// <param name="DeveloperId">The plugin's developer.</param>
/// <param name="UserId">Who installed it.</param>
/// <param name="PricingModel">The plugin's pricing model.</param>
/// <param name="Status"><c>pending_payment</c> (one-time, checkout open), <c>pending</c> (monthly, user not paying yet), <c>active</c>, <c>uninstalled</c>.</param>
/// <param name="CheckoutSessionId">Checkout Session of a one-time purchase.</param>
/// <param name="CheckoutUrl">Where to send the user to pay (one-time).</param>
/// <param name="StripeSubscriptionItemId">The subscription item of a billable monthly install.</param>
/// <param name="CreatedAt">UTC.</param>
/// <param name="ActivatedAt">UTC.</param>
/// <param name="UninstalledAt">UTC.</param>
internal sealed record InstallResponse(
    string InstallId,
    string PluginId,
    string DeveloperId,
    string UserId,
    string PricingModel,
    string Status,
    string? CheckoutSessionId,
    string? CheckoutUrl,
    string? StripeSubscriptionItemId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ActivatedAt,
    DateTimeOffset? UninstalledAt)
{
    /// <summary>The answer for an install (Mapster, <see cref="MarketplaceMapping"/>).</summary>
    public static InstallResponse From(Install install) => install.Adapt<InstallResponse>(MarketplaceMapping.Config);
}
