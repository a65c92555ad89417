using System.Reflection;

namespace Monetization.Architecture.Tests;

/// <summary>The business modules' assemblies, which every architecture rule is checked on.</summary>
internal static class BusinessModules
{
    /// <summary>One assembly per module.</summary>
    public static readonly Assembly[] Assemblies =
    [
        typeof(Monetization.Subscriptions.SubscriptionsModule).Assembly,
        typeof(Monetization.Referrals.ReferralsModule).Assembly,
        typeof(Monetization.Marketplace.MarketplaceModule).Assembly,
        typeof(Monetization.Usage.UsageModule).Assembly,
        typeof(Monetization.Webhooks.WebhooksModule).Assembly,
    ];
}
