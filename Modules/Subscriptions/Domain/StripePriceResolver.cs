using StripeNet = Stripe;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Http;

namespace Monetization.Subscriptions.Domain;

/// <summary>
/// Fills in the Stripe price ids the catalog lacks: for each paid plan cadence without a configured
/// <c>StripePriceId</c>, finds the price by <c>lookup_key</c> (<c>{Subscriptions:PriceLookupKeyPrefix}_{plan}_{cadence}</c>) with the
/// same amount, currency and interval, or creates the product (<c>{prefix}_{plan}</c>) and price. Runs at start
/// (<see cref="Jobs.SubscriptionsScheduler"/>) and again on demand when a checkout needs a missing id. Singleton; serialized.
/// </summary>
internal sealed partial class StripePriceResolver(
    PlanCatalog catalog,
    IServiceProvider services,
    IOptions<SubscriptionsOptions> options,
    ILogger<StripePriceResolver> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>True while some paid plan cadence has no Stripe price id.</summary>
    public bool HasMissing => catalog.MissingPriceIds().Any();

    /// <summary>The price id of a plan cadence, resolving it in Stripe when missing.</summary>
    /// <exception cref="ProblemException">503 when no price is configured and none can be resolved.</exception>
    /// <exception cref="StripeNet.StripeException">Stripe failed while resolving it.</exception>
    public async Task<string> PriceIdAsync(string plan, string cadence, CancellationToken ct)
    {
        if (catalog.PriceIdOf(plan, cadence) is { } known)
        {
            return known;
        }

        await ResolveMissingAsync(ct); // a Stripe failure answers 503/502 by the one rule (StripeFailureProblems)

        return catalog.PriceIdOf(plan, cadence)
            ?? throw new ProblemException(503, "Price not configured", $"No Stripe price for {plan}/{cadence}: set Plans:{plan}:Prices:{cadence}:StripePriceId.", "price_not_configured");
    }

    /// <summary>Resolves every missing price id; returns how many were filled.</summary>
    public async Task<int> ResolveMissingAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var missing = catalog.MissingPriceIds().ToList();
            if (missing.Count == 0)
            {
                return 0;
            }

            var stripe = (StripeNet.StripeClient)(services.GetService(typeof(StripeNet.StripeClient)) ?? throw new InvalidOperationException("No Stripe client is registered."));
            var prefix = options.Value.PriceLookupKeyPrefix;
            var keys = missing.Select(m => LookupKey(prefix, m.Plan.Key, m.Price.Cadence)).ToList();
            var existing = new Dictionary<string, StripeNet.Price>(StringComparer.Ordinal);
            await foreach (var price in stripe.V1.Prices.ListAutoPagingAsync(new StripeNet.PriceListOptions { Active = true, LookupKeys = keys, Limit = 100 }, cancellationToken: ct))
            {
                if (price.LookupKey is { } key)
                {
                    existing.TryAdd(key, price);
                }
            }

            var products = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (plan, planPrice) in missing)
            {
                var key = LookupKey(prefix, plan.Key, planPrice.Cadence);
                var interval = Cadences.StripeInterval(planPrice.Cadence);
                if (existing.TryGetValue(key, out var found) && found.UnitAmount == planPrice.Amount && found.Currency == planPrice.Currency
                    && found.Recurring?.Interval == interval && (found.Recurring?.IntervalCount ?? 1) == 1)
                {
                    catalog.SetPriceId(plan.Key, planPrice.Cadence, found.Id);
                    continue;
                }

                if (!products.TryGetValue(plan.Key, out var productId))
                {
                    productId = found?.ProductId ?? await ProductAsync(stripe, prefix, plan, ct);
                    products[plan.Key] = productId;
                }

                var created = await stripe.V1.Prices.CreateAsync(
                    new StripeNet.PriceCreateOptions
                    {
                        Currency = planPrice.Currency,
                        UnitAmount = planPrice.Amount,
                        Product = productId,
                        Recurring = new StripeNet.PriceRecurringOptions { Interval = interval, IntervalCount = 1 },
                        Nickname = $"{plan.Name} {planPrice.Cadence}",
                        LookupKey = key,
                        Metadata = new Dictionary<string, string> { [MetadataKeys.Plan] = plan.Key, [MetadataKeys.Cadence] = planPrice.Cadence },
                    },
                    new StripeNet.RequestOptions { IdempotencyKey = $"price:{key}:{planPrice.Amount.ToString(CultureInfo.InvariantCulture)}:{planPrice.Currency}" },
                    ct);
                catalog.SetPriceId(plan.Key, planPrice.Cadence, created.Id);
                LogCreated(logger, key, created.Id);
            }

            return missing.Count;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<string> ProductAsync(StripeNet.StripeClient stripe, string prefix, Plan plan, CancellationToken ct)
    {
        var productId = $"{prefix}_{plan.Key}";
        await foreach (var product in stripe.V1.Products.ListAutoPagingAsync(new StripeNet.ProductListOptions { Ids = [productId], Limit = 10 }, cancellationToken: ct))
        {
            // Trust the id, not the filter: a peer that ignored `ids` must not hand us another plan's product.
            if (product.Id == productId)
            {
                return product.Id;
            }
        }

        var created = await stripe.V1.Products.CreateAsync(
            new StripeNet.ProductCreateOptions { Name = plan.Name, Id = productId, Metadata = new Dictionary<string, string> { [MetadataKeys.Plan] = plan.Key } },
            new StripeNet.RequestOptions { IdempotencyKey = $"product:{productId}" },
            ct);
        return created.Id;
    }

    private static string LookupKey(string prefix, string plan, string cadence) => $"{prefix}_{plan}_{cadence}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Created Stripe price {LookupKey} = {PriceId}")]
    private static partial void LogCreated(ILogger logger, string lookupKey, string priceId);
}
