namespace Monetization.Usage.Domain;

/// <summary>Tokens of one (meter, plugin, model) in a period, the price applied, and their cost rounded once (an invoice line).</summary>
/// <param name="Meter">Meter key.</param>
/// <param name="PluginId">Plugin, or null.</param>
/// <param name="Model">Model.</param>
/// <param name="InputTokens">Input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="Price">The price applied (the plugin's, or the model's).</param>
/// <param name="Amount">Cost, minor units, rounded once.</param>
internal sealed record PricedLine(string Meter, string? PluginId, string Model, long InputTokens, long OutputTokens, AppliedPrice Price, long Amount)
{
    /// <summary>A line description for invoices, naming the price applied.</summary>
    public string Description =>
        $"{Model}: {InputTokens:N0} input + {OutputTokens:N0} output tokens" + (PluginId is null ? "" : $" (plugin {PluginId})") + Price.Source switch
        {
            PriceSources.Plugin => $" at the plugin's price {Price.InputText} per 1,000 tokens",
            PriceSources.PluginTokens => $" at the plugin's prices {Price.InputText} / {Price.OutputText} per 1,000 input / output tokens",
            _ => " at the model's prices",
        };
}

/// <summary>Builds priced lines from the dimension rollup rows of meters priced by model.</summary>
internal static class PricedLines
{
    /// <summary>
    /// Groups the rows of priced meters by (meter, plugin_id, model), sums tokens, then prices each group once (issue 20):
    /// usage of a plugin with a price in <paramref name="pluginPrices"/> (in the billing currency) at the plugin's price,
    /// every other usage at the model's prices.
    /// </summary>
    public static List<PricedLine> From(IEnumerable<UsageRollup> rows, MeterCatalog meters, TokenPricing pricing, IReadOnlyDictionary<string, PluginPrice> pluginPrices) =>
        rows.Where(r => r.Dimensions.Length > 0 && meters.TryGet(r.Meter, out var m) && m.PricedByModel)
            .Select(r => (Row: r, Dims: DimensionKey.Decode(r.Dimensions)))
            .GroupBy(x => (x.Row.Meter, Plugin: x.Dims.GetValueOrDefault("plugin_id"), Model: x.Dims.GetValueOrDefault("model") ?? ""))
            .Select(g =>
            {
                var input = g.Sum(x => x.Row.InputTokens);
                var output = g.Sum(x => x.Row.OutputTokens);
                var pluginPrice = g.Key.Plugin is { } plugin ? AppliedPrice.Of(pluginPrices.GetValueOrDefault(plugin), pricing.Currency) : null;
                return pluginPrice is not null
                    ? new PricedLine(g.Key.Meter, g.Key.Plugin, g.Key.Model, input, output, pluginPrice, pluginPrice.Amount(input, output))
                    : new PricedLine(g.Key.Meter, g.Key.Plugin, g.Key.Model, input, output, pricing.ModelPrice(g.Key.Model), pricing.LineAmount(g.Key.Model, input, output));
            })
            .OrderBy(l => l.Meter, StringComparer.Ordinal)
            .ThenBy(l => l.PluginId ?? "", StringComparer.Ordinal)
            .ThenBy(l => l.Model, StringComparer.Ordinal)
            .ToList();
}
