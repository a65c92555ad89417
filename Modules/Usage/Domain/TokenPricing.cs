using Microsoft.Extensions.Options;

namespace Monetization.Usage.Domain;

/// <summary>
/// Prices tokens per model (<c>Usage:ModelPrices</c>, else <c>Usage:DefaultModelPrice</c>). Rule (docs/modules/usage.md,
/// "Rounding"): a line's exact cost is <c>input × input_price / 1,000,000 + output × output_price / 1,000,000</c> in major
/// units, computed in <see cref="decimal"/>, then converted to minor units and rounded ONCE, half away from zero. Lines
/// are never re-rounded when summed, so an invoice total is the sum of its line amounts.
/// </summary>
internal sealed class TokenPricing(IOptions<UsageOptions> options)
{
    private static readonly HashSet<string> ZeroDecimalCurrencies = new(StringComparer.Ordinal)
    {
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
    };

    /// <summary>The billing currency (<c>Usage:Currency</c>), lowercase.</summary>
    public string Currency { get; } = options.Value.Currency.ToLowerInvariant();

    /// <summary>The prices of a model (the default price for an unknown model).</summary>
    public ModelPriceOptions PriceOf(string? model) =>
        model is not null && options.Value.ModelPrices.TryGetValue(model, out var price) ? price : options.Value.DefaultModelPrice;

    /// <summary>True when the model has its own configured price.</summary>
    public bool IsKnownModel(string? model) => model is not null && options.Value.ModelPrices.ContainsKey(model);

    /// <summary>The cost of a line, minor units of <see cref="Currency"/>, rounded once (half away from zero).</summary>
    public long LineAmount(string? model, long inputTokens, long outputTokens)
    {
        var price = PriceOf(model);
        var major = (inputTokens * price.Input + outputTokens * price.Output) / 1_000_000m;
        return (long)decimal.Round(major * MinorPerMajor, 0, MidpointRounding.AwayFromZero);
    }

    /// <summary>
    /// A model's prices in the unit invoice lines show (minor units per 1,000 tokens): the configured major units per
    /// million × 100 (1 for zero-decimal currencies) / 1,000, exact in <see cref="decimal"/>.
    /// </summary>
    public AppliedPrice ModelPrice(string? model)
    {
        var price = PriceOf(model);
        return new AppliedPrice(PriceSources.Model, price.Input * MinorPerMajor / 1_000m, price.Output * MinorPerMajor / 1_000m);
    }

    private decimal MinorPerMajor => ZeroDecimalCurrencies.Contains(Currency) ? 1m : 100m;
}
