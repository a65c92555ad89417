using System.Globalization;

namespace Monetization.Usage.Domain;

/// <summary>
/// The latest price of a usage-priced plugin, kept from Marketplace's <c>PluginUsagePriced</c> (issue 20). Prices are
/// minor units of <see cref="Currency"/> per 1,000 units as decimal strings (Stripe's <c>unit_amount_decimal</c>).
/// </summary>
internal sealed class PluginPrice
{
    /// <summary>Plugin (<c>plg_…</c>).</summary>
    public string PluginId { get; set; } = "";

    /// <summary>ISO 4217, lowercase.</summary>
    public string Currency { get; set; } = "";

    /// <summary>Price per 1,000 tokens (input and output alike).</summary>
    public string UnitAmountDecimal { get; set; } = "";

    /// <summary>Price per 1,000 input tokens when the plugin prices them apart (with <see cref="OutputUnitAmountDecimal"/>).</summary>
    public string? InputUnitAmountDecimal { get; set; }

    /// <summary>Price per 1,000 output tokens when the plugin prices them apart.</summary>
    public string? OutputUnitAmountDecimal { get; set; }

    /// <summary>When Marketplace set it, UTC: an older event never replaces a newer price.</summary>
    public DateTimeOffset PricedAt { get; set; }
}

/// <summary>Which price a usage invoice line was priced at (<see cref="UsageInvoiceLine.PriceSource"/>).</summary>
internal static class PriceSources
{
    /// <summary>The model's prices (<c>Usage:ModelPrices</c>): usage outside plugins.</summary>
    public const string Model = "model";

    /// <summary>The plugin's <c>unit_amount_decimal</c>, per 1,000 tokens, input and output alike.</summary>
    public const string Plugin = "plugin";

    /// <summary>The plugin's <c>input_unit_amount_decimal</c> and <c>output_unit_amount_decimal</c>, per 1,000 tokens each.</summary>
    public const string PluginTokens = "plugin_tokens";
}

/// <summary>
/// The price applied to a line, in one unit whatever its source: minor units per 1,000 input and per 1,000 output tokens,
/// exact decimals. Rounding rule (docs/modules/usage.md, "Rounding"): a line's amount is
/// <c>(input × input_price + output × output_price) / 1,000</c> computed in <see cref="decimal"/> (never floating point),
/// rounded ONCE to whole minor units, half away from zero; lines are never re-rounded when summed.
/// </summary>
/// <param name="Source"><see cref="PriceSources"/>.</param>
/// <param name="InputPer1000">Minor units per 1,000 input tokens.</param>
/// <param name="OutputPer1000">Minor units per 1,000 output tokens.</param>
internal sealed record AppliedPrice(string Source, decimal InputPer1000, decimal OutputPer1000)
{
    /// <summary>The price of a plugin, or null when it cannot price usage billed in <paramref name="currency"/>.</summary>
    public static AppliedPrice? Of(PluginPrice? price, string currency)
    {
        if (price is null || !string.Equals(price.Currency, currency, StringComparison.Ordinal))
        {
            return null;
        }

        if (price.InputUnitAmountDecimal is { } input && price.OutputUnitAmountDecimal is { } output)
        {
            return new AppliedPrice(PriceSources.PluginTokens, Parse(input), Parse(output));
        }

        var flat = Parse(price.UnitAmountDecimal);
        return new AppliedPrice(PriceSources.Plugin, flat, flat);
    }

    /// <summary>The line amount in minor units, rounded once (half away from zero).</summary>
    /// <exception cref="OverflowException">Beyond <see cref="decimal"/> (about 7.9 × 10²⁸ minor units).</exception>
    public long Amount(long inputTokens, long outputTokens) =>
        (long)decimal.Round((inputTokens * InputPer1000 + outputTokens * OutputPer1000) / 1_000m, 0, MidpointRounding.AwayFromZero);

    /// <summary><see cref="InputPer1000"/> as text (<c>unit_amount_decimal</c> style).</summary>
    public string InputText => Text(InputPer1000);

    /// <summary><see cref="OutputPer1000"/> as text.</summary>
    public string OutputText => Text(OutputPer1000);

    private static decimal Parse(string text) => decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    private static string Text(decimal value) => value.ToString("0.############", CultureInfo.InvariantCulture);
}
