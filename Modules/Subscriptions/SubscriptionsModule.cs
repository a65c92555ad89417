using StripeNet = Stripe;
using Microsoft.Extensions.DependencyInjection;
using Monetization.BuildingBlocks.Modules;
using Monetization.Stripe;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;
using Monetization.Subscriptions.Features.HandleStripeEvents;
using Monetization.Subscriptions.Jobs;

namespace Monetization.Subscriptions;

/// <summary>
/// The Subscriptions module: plans catalog (<c>Plans:*</c>), Stripe customers and subscriptions, the Stripe webhook endpoint
/// and its event store, effective access, and the background jobs (event retries, access expiry, credit deferrals,
/// reconciliation, price bootstrap). Settings: <see cref="SubscriptionsOptions"/> (<c>Subscriptions:*</c>) and the <c>Stripe</c> section.
/// </summary>
public sealed class SubscriptionsModule : IModule
{
    /// <inheritdoc />
    public string Name => "Subscriptions";

    /// <inheritdoc />
    public void Register(ModuleBuilder module)
    {
        ArgumentNullException.ThrowIfNull(module);
        module.AddDbContext<SubscriptionsDbContext>();
        module.AddRoutes<SubscriptionsRoutes>();
        _ = SubscriptionsMapping.Config; // compiled now, so a mapping without a source stops the Host at start
        module.AddOptions<SubscriptionsOptions>("Subscriptions");
        var services = module.Services;

        // The Host may register the Stripe client itself (e.g. against the in-process emulator); otherwise register it here.
        if (!services.Any(d => d.ServiceType == typeof(StripeNet.StripeClient)))
        {
            services.AddStripeClient(module.Configuration.GetSection(StripeOptions.SectionName));
        }

        services.AddSingleton<PlanCatalog>();
        services.AddScoped<Monetization.BuildingBlocks.Http.IPublicConfigPart, Features.DescribeConfig.DescribeConfig.Contributor>();
        services.AddSingleton<StripePriceResolver>();
        services.AddSingleton<CreditDeferralSignal>();
        services.AddScoped<StripeCustomerLink>();
        services.AddScoped<StripeEventStore>();
        services.AddScoped<StripeEventScope>();
        services.AddScoped<CheckoutSessionEvents>();
        services.AddScoped<SubscriptionEvents>();
        services.AddScoped<InvoiceEvents>();
        services.AddScoped<ChargeEvents>();
        services.AddScoped<StripeEventTranslator>();
        services.AddScoped<StripeEventProcessor>();
        services.AddSingleton<StripeEventIntake>();
        services.AddHostedService(sp => sp.GetRequiredService<StripeEventIntake>());
        services.AddScoped<StripeEventRetryJob>();
        services.AddScoped<AccessExpiryJob>();
        services.AddScoped<CreditDeferralJob>();
        services.AddHostedService<SubscriptionsScheduler>();
    }
}
