using Mapster;
using System.Globalization;
using FluentValidation;
using Monetization.BuildingBlocks.Billing;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Plugins;

/// <summary>A plugin's pricing, in requests and responses.</summary>
/// <param name="Model"><c>free</c>, <c>one_time</c>, <c>monthly</c> or <c>usage</c>.</param>
/// <param name="Amount">Price in minor units of <paramref name="Currency"/> (one-time, monthly).</param>
/// <param name="Currency">ISO 4217 (one-time, monthly; usage: optional, default <c>Marketplace:DefaultCurrency</c>).</param>
/// <param name="Unit">Usage unit: <c>tokens</c>.</param>
/// <param name="UnitAmountDecimal">Usage price per 1,000 units, in minor units, a decimal string (Stripe's <c>unit_amount_decimal</c> style, up to 12 decimals).</param>
/// <param name="InputUnitAmountDecimal">Optional (usage): price per 1,000 INPUT tokens, same form; given with <paramref name="OutputUnitAmountDecimal"/>, the two price the plugin's tokens instead of <paramref name="UnitAmountDecimal"/> (issue 20).</param>
/// <param name="OutputUnitAmountDecimal">Optional (usage): price per 1,000 OUTPUT tokens, with <paramref name="InputUnitAmountDecimal"/>.</param>
internal sealed record PricingBody(string? Model, long? Amount, string? Currency, string? Unit, string? UnitAmountDecimal, string? InputUnitAmountDecimal = null, string? OutputUnitAmountDecimal = null)
{
    /// <summary>The canonical text of an optional decimal.</summary>
    public static string? NormalizeOptional(string? text) => text is null ? null : Normalize(text);

    /// <summary>True when <paramref name="text"/> is a positive decimal with at most 12 decimals and 12 integer digits.</summary>
    public static bool IsUnitAmountDecimal(string? text) =>
        text is { Length: > 0 and <= 26 }
        && text.All(c => char.IsAsciiDigit(c) || c == '.')
        && decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
        && value > 0 && value < 1_000_000_000_000m
        && (text.IndexOf('.', StringComparison.Ordinal) is var dot && (dot < 0 || text.Length - dot - 1 <= 12));

    /// <summary>The canonical text of a valid decimal (no trailing zeros).</summary>
    public static string Normalize(string text) =>
        decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture).ToString("0.############", CultureInfo.InvariantCulture);
}

/// <summary>Rules of <see cref="PricingBody"/>.</summary>
internal sealed class PricingValidator : AbstractValidator<PricingBody>
{
    public PricingValidator()
    {
        RuleFor(p => p.Model).NotEmpty().Must(m => PricingModels.All.Contains(m!))
            .WithMessage("model is one of free, one_time, monthly, usage.");
        When(p => p.Model is PricingModels.OneTime or PricingModels.Monthly, () =>
        {
            RuleFor(p => p.Amount).NotNull().InclusiveBetween(1, 99_999_999)
                .WithMessage("amount is a price in minor units from 1 to 99,999,999.");
            RuleFor(p => p.Currency).NotEmpty().Must(Money.IsValidCurrency).WithMessage("currency is a three-letter ISO 4217 code.");
            RuleFor(p => p.Unit).Null().WithMessage("unit applies to usage pricing only.");
            RuleFor(p => p.UnitAmountDecimal).Null().WithMessage("unit_amount_decimal applies to usage pricing only.");
        });
        When(p => p.Model == PricingModels.Usage, () =>
        {
            RuleFor(p => p.Unit).NotEmpty().Equal("tokens").WithMessage("unit is 'tokens'.");
            RuleFor(p => p.UnitAmountDecimal).NotEmpty().Must(PricingBody.IsUnitAmountDecimal)
                .WithMessage("unit_amount_decimal is a positive decimal string (minor units per 1,000 tokens), at most 12 decimals.");
            RuleFor(p => p.Currency).Must(Money.IsValidCurrency).When(p => p.Currency is not null)
                .WithMessage("currency is a three-letter ISO 4217 code.");
            RuleFor(p => p.Amount).Null().WithMessage("amount applies to one_time and monthly pricing; usage uses unit_amount_decimal.");
            RuleFor(p => p.InputUnitAmountDecimal).Must(PricingBody.IsUnitAmountDecimal).When(p => p.InputUnitAmountDecimal is not null)
                .WithMessage("input_unit_amount_decimal is a positive decimal string (minor units per 1,000 input tokens), at most 12 decimals.");
            RuleFor(p => p.OutputUnitAmountDecimal).Must(PricingBody.IsUnitAmountDecimal).When(p => p.OutputUnitAmountDecimal is not null)
                .WithMessage("output_unit_amount_decimal is a positive decimal string (minor units per 1,000 output tokens), at most 12 decimals.");
            RuleFor(p => p.OutputUnitAmountDecimal).NotNull().When(p => p.InputUnitAmountDecimal is not null)
                .WithMessage("output_unit_amount_decimal is required with input_unit_amount_decimal (input and output are priced together).");
            RuleFor(p => p.InputUnitAmountDecimal).NotNull().When(p => p.OutputUnitAmountDecimal is not null)
                .WithMessage("input_unit_amount_decimal is required with output_unit_amount_decimal (input and output are priced together).");
        });
        When(p => p.Model == PricingModels.Free, () =>
        {
            RuleFor(p => p.Amount).Must(a => a is null or 0).WithMessage("a free plugin has no amount.");
            RuleFor(p => p.UnitAmountDecimal).Null().WithMessage("a free plugin has no unit_amount_decimal.");
        });
    }
}

/// <summary>A plugin as the API shows it.</summary>
/// <param name="Id">Plugin id (<c>plg_…</c>).</param>
/// <param name="DeveloperId">Its developer.</param>
/// <param name="Slug">Unique slug.</param>
/// <param name="Name">Display name.</param>
/// <param name="Description">Description.</param>
/// <param name="Pricing">Pricing.</param>
/// <param name="Status"><c>active</c> or <c>archived</c>.</param>
/// <param name="InstallCount">Live installs.</param>
/// <param name="StripeProductId">Stripe product of a paid plugin.</param>
/// <param name="StripePriceId">Stripe price of a one-time or monthly plugin.</param>
/// <param name="CreatedAt">Creation time, UTC.</param>
/// <param name="UpdatedAt">Last change, UTC.</param>
internal sealed record PluginResponse(
    string Id,
    string DeveloperId,
    string Slug,
    string Name,
    string Description,
    PricingBody Pricing,
    string Status,
    long InstallCount,
    string? StripeProductId,
    string? StripePriceId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The answer for a plugin (Mapster, <see cref="MarketplaceMapping"/>).</summary>
    public static PluginResponse From(Plugin plugin) => plugin.Adapt<PluginResponse>(MarketplaceMapping.Config);
}
