using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Modules;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;
using Monetization.Usage.Features.IngestUsageEvents;
using Monetization.Usage.Features.RunUsageInvoices;
using Monetization.Usage.Jobs;

namespace Monetization.Usage;

/// <summary>
/// The Usage module: meters (events and rollups), plan limits and quotas, prepaid credits and monthly usage invoices
/// (docs/modules/usage.md). Calls Stripe through Stripe.net's <c>StripeClient</c>, which the Host registers.
/// </summary>
public sealed class UsageModule : IModule
{
    /// <inheritdoc />
    public string Name => "Usage";

    /// <inheritdoc />
    public void Register(ModuleBuilder module)
    {
        ArgumentNullException.ThrowIfNull(module);
        module.AddDbContext<UsageDbContext>();
        module.AddRoutes<UsageRoutes>();
        _ = UsageMapping.Config; // compiled now, so a mapping without a source stops the Host at start
        module.AddOptions<UsageOptions>("Usage");
        module.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UsageOptions>, UsageOptionsValidator>());
        module.Services.AddSingleton<MeterCatalog>();
        module.Services.AddSingleton<TokenPricing>();
        module.Services.AddSingleton<PlanLimits>();
        module.Services.AddSingleton<UsageEventParser>();
        module.Services.AddSingleton<AlertedThresholds>();
        module.Services.AddScoped<UsageEventStore>();
        module.Services.AddSingleton<AccountCache>();
        module.Services.AddScoped<UsageInvoicing>();
        module.Services.AddScoped<CheckoutStarter>();
        module.Services.AddScoped<Monetization.BuildingBlocks.Http.IPublicConfigPart, Features.DescribeConfig.DescribeConfig.Contributor>();
        module.Services.AddHostedService<UsageInvoiceJob>();
    }
}
