using StripeNet = Stripe;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monetization.BuildingBlocks.Http;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Plugins;

/// <summary>
/// PATCH /v1/marketplace/plugins/{id}: changes name, description and, within the same pricing model, the price. A new
/// price (amount or currency of a one-time or monthly plugin) creates a new Stripe price used by new installs; existing
/// subscription items keep the price they were created with (grandfathered). The model itself cannot change (409):
/// archive the plugin and publish a new one. Archived plugins cannot be changed (409).
/// </summary>
internal static class UpdatePlugin
{
    internal sealed record Body(string? Name, string? Description, PricingBody? Pricing);

    internal sealed record Request(string PluginId, string? Name, string? Description, PricingBody? Pricing) : IRequest<PluginResponse>;

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Name).NotEmpty().MaximumLength(200).When(r => r.Name is not null);
            RuleFor(r => r.Description).MaximumLength(5000);
            RuleFor(r => r.Pricing!).SetValidator(new PricingValidator()).When(r => r.Pricing is not null);
            RuleFor(r => r).Must(r => r.Name is not null || r.Description is not null || r.Pricing is not null)
                .WithName("body").WithMessage("Give at least one of name, description, pricing.");
        }
    }

    internal sealed class Handler(MarketplaceDbContext db, TimeProvider clock, IServiceProvider services) : IRequestHandler<Request, PluginResponse>
    {
        public async Task<PluginResponse> Handle(Request request, CancellationToken cancellationToken)
        {
            var plugin = await db.Plugins.SingleOrDefaultAsync(p => p.Id == request.PluginId, cancellationToken)
                ?? throw ProblemException.NotFound("Plugin", request.PluginId);
            if (plugin.Status == PluginStatuses.Archived)
            {
                throw ProblemException.Conflict("plugin_archived", $"Plugin '{plugin.Id}' is archived and cannot be changed.");
            }

            if (request.Name is not null)
            {
                plugin.Name = request.Name.Trim();
            }

            if (request.Description is not null)
            {
                plugin.Description = request.Description.Trim();
            }

            if (request.Pricing is { } pricing)
            {
                if (pricing.Model != plugin.PricingModel)
                {
                    throw ProblemException.Conflict("pricing_model_change",
                        $"Plugin '{plugin.Id}' is priced '{plugin.PricingModel}'; the model cannot change. Archive it and publish a new plugin.");
                }

                if (PricingModels.HasAmount(plugin.PricingModel)
                    && (pricing.Amount != plugin.Amount || !string.Equals(pricing.Currency, plugin.Currency, StringComparison.OrdinalIgnoreCase)))
                {
                    plugin.Amount = pricing.Amount;
                    plugin.Currency = pricing.Currency!.ToLowerInvariant();
                    await StripeCatalog.CreateProductAndPriceAsync(services.GetRequiredService<StripeNet.StripeClient>(), plugin, cancellationToken);
                }
                else if (plugin.PricingModel == PricingModels.Usage)
                {
                    var (previousUnit, previousCurrency) = (plugin.UnitAmountDecimal, plugin.Currency);
                    var unitAmountDecimal = PricingBody.Normalize(pricing.UnitAmountDecimal!);
                    var currency = pricing.Currency?.ToLowerInvariant() ?? plugin.Currency;
                    var input = PricingBody.NormalizeOptional(pricing.InputUnitAmountDecimal);
                    var output = PricingBody.NormalizeOptional(pricing.OutputUnitAmountDecimal);
                    if (unitAmountDecimal != plugin.UnitAmountDecimal || currency != plugin.Currency)
                    {
                        plugin.UnitAmountDecimal = unitAmountDecimal;
                        plugin.Currency = currency;
                        await StripeCatalog.CreateProductAndPriceAsync(services.GetRequiredService<StripeNet.StripeClient>(), plugin, cancellationToken);
                    }

                    if (unitAmountDecimal != previousUnit || currency != previousCurrency || input != plugin.InputUnitAmountDecimal || output != plugin.OutputUnitAmountDecimal)
                    {
                        plugin.InputUnitAmountDecimal = input;
                        plugin.OutputUnitAmountDecimal = output;
                        UsagePrices.Announce(db, plugin, clock.GetUtcNow());
                    }
                }
            }

            plugin.UpdatedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            return PluginResponse.From(plugin);
        }
    }
}
