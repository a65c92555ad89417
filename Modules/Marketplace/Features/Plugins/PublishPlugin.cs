using StripeNet = Stripe;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Http;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Plugins;

/// <summary>
/// POST /v1/marketplace/plugins: publishes a plugin. Paid plugins get a Stripe product (usage, one-time, monthly) and a
/// price (one-time: a one-time price; monthly: <c>recurring[interval]=month</c>), created before the plugin is saved with
/// idempotency keys derived from the plugin id. Usage plugins get a price of <c>unit_amount_decimal</c> per 1,000 units and
/// are billed by the Usage module.
/// </summary>
internal static class PublishPlugin
{
    internal sealed record Request(string? DeveloperId, string? Slug, string? Name, string? Description, PricingBody? Pricing) : IRequest<PluginResponse>;

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.DeveloperId).MustBeExternalId("developer_id");
            RuleFor(r => r.Slug).NotEmpty().MaximumLength(64).Matches(Validation.Slug())
                .WithMessage("slug is lowercase letters and digits in words joined by single hyphens (e.g. 'code-review').");
            RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
            RuleFor(r => r.Description).MaximumLength(5000);
            RuleFor(r => r.Pricing).NotNull().SetValidator(new PricingValidator()!);
        }
    }

    internal sealed class Handler(MarketplaceDbContext db, TimeProvider clock, IOptions<MarketplaceOptions> options, IServiceProvider services)
        : IRequestHandler<Request, PluginResponse>
    {
        public async Task<PluginResponse> Handle(Request request, CancellationToken cancellationToken)
        {
            if (!await db.Developers.AnyAsync(d => d.Id == request.DeveloperId, cancellationToken))
            {
                throw ProblemException.Invalid("developer_id", $"Developer '{request.DeveloperId}' is not registered.", "unknown_developer");
            }

            if (await db.Plugins.AnyAsync(p => p.Slug == request.Slug, cancellationToken))
            {
                throw ProblemException.Conflict("slug_taken", $"A plugin with slug '{request.Slug}' exists.");
            }

            var pricing = request.Pricing!;
            var now = clock.GetUtcNow();
            var plugin = new Plugin
            {
                Id = PrefixedId.New("plg"),
                DeveloperId = request.DeveloperId!,
                Slug = request.Slug!,
                Name = request.Name!.Trim(),
                Description = request.Description?.Trim() ?? "",
                PricingModel = pricing.Model!,
                Amount = PricingModels.HasAmount(pricing.Model!) ? pricing.Amount : null,
                Currency = pricing.Model switch
                {
                    PricingModels.Free => null,
                    PricingModels.Usage => (pricing.Currency ?? options.Value.DefaultCurrency).ToLowerInvariant(),
                    _ => pricing.Currency!.ToLowerInvariant(),
                },
                UsageUnit = pricing.Model == PricingModels.Usage ? pricing.Unit : null,
                UnitAmountDecimal = pricing.Model == PricingModels.Usage ? PricingBody.Normalize(pricing.UnitAmountDecimal!) : null,
                InputUnitAmountDecimal = pricing.Model == PricingModels.Usage ? PricingBody.NormalizeOptional(pricing.InputUnitAmountDecimal) : null,
                OutputUnitAmountDecimal = pricing.Model == PricingModels.Usage ? PricingBody.NormalizeOptional(pricing.OutputUnitAmountDecimal) : null,
                CreatedAt = now,
                UpdatedAt = now,
            };

            if (plugin.PricingModel != PricingModels.Free)
            {
                var stripe = services.GetRequiredService<StripeNet.StripeClient>();
                await StripeCatalog.CreateProductAndPriceAsync(stripe, plugin, cancellationToken);
            }

            db.Plugins.Add(plugin);
            UsagePrices.Announce(db, plugin, now);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                throw ProblemException.Conflict("slug_taken", $"A plugin with slug '{request.Slug}' exists.");
            }

            return PluginResponse.From(plugin);
        }
    }
}

/// <summary>Creates a paid plugin's Stripe product and price.</summary>
internal static class StripeCatalog
{
    /// <summary>
    /// Creates the product (once per plugin id) and the current price: <c>unit_amount</c> for one-time and monthly plugins,
    /// <c>unit_amount_decimal</c> per 1,000 units (<c>transform_quantity</c>) for usage plugins.
    /// </summary>
    /// <exception cref="StripeNet.StripeException">Stripe failed (nothing is saved; the route answers 503/502 by the one Stripe rule).</exception>
    public static async Task CreateProductAndPriceAsync(StripeNet.StripeClient stripe, Plugin plugin, CancellationToken ct)
    {
        var metadata = new Dictionary<string, string> { ["plugin_id"] = plugin.Id, ["developer_id"] = plugin.DeveloperId };
        if (plugin.StripeProductId is null)
        {
            var product = await stripe.V1.Products.CreateAsync(
                new StripeNet.ProductCreateOptions { Name = plugin.Name, Description = string.IsNullOrEmpty(plugin.Description) ? null : plugin.Description, Metadata = metadata },
                new StripeNet.RequestOptions { IdempotencyKey = $"marketplace:plugin:{plugin.Id}:product" },
                ct);
            plugin.StripeProductId = product.Id;
        }

        if (plugin.PricingModel == PricingModels.Usage)
        {
            // "X per 1,000 tokens" as Stripe models it: a decimal unit amount over packages of 1,000 units, partial
            // packages rounded up. The Usage module bills the usage itself; this price is the catalog's record of it.
            var usagePrice = await stripe.V1.Prices.CreateAsync(
                new StripeNet.PriceCreateOptions
                {
                    Currency = plugin.Currency!,
                    UnitAmountDecimal = decimal.Parse(plugin.UnitAmountDecimal!, System.Globalization.CultureInfo.InvariantCulture),
                    TransformQuantity = new StripeNet.PriceTransformQuantityOptions { DivideBy = 1000, Round = "up" },
                    Product = plugin.StripeProductId,
                    Metadata = metadata,
                },
                new StripeNet.RequestOptions { IdempotencyKey = $"marketplace:plugin:{plugin.Id}:price:{plugin.Currency}:{plugin.UnitAmountDecimal}:per1000" },
                ct);
            plugin.StripePriceId = usagePrice.Id;
        }
        else if (PricingModels.HasAmount(plugin.PricingModel))
        {
            var price = await stripe.V1.Prices.CreateAsync(
                new StripeNet.PriceCreateOptions
                {
                    Currency = plugin.Currency!,
                    UnitAmount = plugin.Amount,
                    Product = plugin.StripeProductId,
                    Recurring = plugin.PricingModel == PricingModels.Monthly ? new StripeNet.PriceRecurringOptions { Interval = "month" } : null,
                    Metadata = metadata,
                },
                new StripeNet.RequestOptions { IdempotencyKey = $"marketplace:plugin:{plugin.Id}:price:{plugin.Currency}:{plugin.Amount}" },
                ct);
            plugin.StripePriceId = price.Id;
        }
    }
}
