using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Billing;

namespace Monetization.Usage.Domain;

/// <summary>
/// The <c>Usage</c> configuration section (docs/modules/usage.md, "Configuration"). Dictionaries bind per key, so a
/// configured <c>Usage:Meters:&lt;key&gt;</c> adds to or overrides the defaults below.
/// </summary>
internal sealed class UsageOptions
{
    /// <summary><c>Usage:Meters:&lt;key&gt;</c>: the meters events may name. Defaults: <c>api_calls</c> (count) and <c>tokens</c> (sum, by model).</summary>
    public Dictionary<string, MeterOptions> Meters { get; init; } = new(StringComparer.Ordinal)
    {
        ["api_calls"] = new MeterOptions { Aggregation = "count", Dimensions = ["endpoint", "plugin_id"], Entitlement = "api_calls" },
        ["tokens"] = new MeterOptions { Aggregation = "sum", Dimensions = ["model", "plugin_id"], Entitlement = "tokens", PricedByModel = true },
    };

    /// <summary><c>Usage:ModelPrices:&lt;model&gt;</c>: price per million input and output tokens, in major units of the currency.</summary>
    public Dictionary<string, ModelPriceOptions> ModelPrices { get; init; } = new(StringComparer.Ordinal);

    /// <summary><c>Usage:DefaultModelPrice</c>: the price of a model missing from <see cref="ModelPrices"/> (default 1.00 / 2.00 USD per million).</summary>
    public ModelPriceOptions DefaultModelPrice { get; init; } = new() { Input = 1.00m, Output = 2.00m };

    /// <summary><c>Usage:Currency</c>: the currency of usage invoices and credits (ISO 4217, default <c>usd</c>).</summary>
    public string Currency { get; set; } = "usd";

    /// <summary><c>Usage:LateDays</c>: days after a period ends during which its events are still accepted (default 3).</summary>
    [Range(0, 60)]
    public int LateDays { get; set; } = 3;

    /// <summary><c>Usage:FutureSkewSeconds</c>: how far in the future an event timestamp may be (clock skew, default 300).</summary>
    [Range(0, 86_400)]
    public int FutureSkewSeconds { get; set; } = 300;

    /// <summary><c>Usage:FreeLimits</c>: limits of a user never seen in <c>SubscriptionChanged</c> (the <c>free</c> plan).</summary>
    public FreeLimitsOptions FreeLimits { get; init; } = new();

    /// <summary><c>Usage:SlotPrice</c>: price of one extra quota slot, minor units of <see cref="Currency"/> (default 1,000).</summary>
    [Range(1, long.MaxValue)]
    public long SlotPrice { get; set; } = 1_000;

    /// <summary><c>Usage:CreditPackages:&lt;name&gt;</c>: prepaid credit packages. Defaults small 500, medium 1,000, large 5,000 (USD minor units).</summary>
    public Dictionary<string, CreditPackageOptions> CreditPackages { get; init; } = new(StringComparer.Ordinal)
    {
        ["small"] = new CreditPackageOptions { Amount = 500 },
        ["medium"] = new CreditPackageOptions { Amount = 1_000 },
        ["large"] = new CreditPackageOptions { Amount = 5_000 },
    };

    /// <summary><c>Usage:CheckoutSuccessUrl</c>: where Stripe Checkout sends the customer after paying (<c>{CHECKOUT_SESSION_ID}</c> is filled by Stripe).</summary>
    public string CheckoutSuccessUrl { get; set; } = "http://localhost:8080/billing/success?session_id={CHECKOUT_SESSION_ID}";

    /// <summary><c>Usage:CheckoutCancelUrl</c>: where Stripe Checkout sends the customer who gives up.</summary>
    public string CheckoutCancelUrl { get; set; } = "http://localhost:8080/billing/cancel";

    /// <summary><c>Usage:InvoiceJob</c>: the monthly usage invoice job.</summary>
    public InvoiceJobOptions InvoiceJob { get; init; } = new();

    /// <summary>
    /// <c>Usage:LowCreditBalance</c>: when spending prepaid credits takes a user's live balance from at or above this to
    /// below it, <c>CreditBalanceDropped</c> is published (the product's <c>credits.low_balance</c> webhook, issue 18). Minor units
    /// of <see cref="Currency"/>; default 500; 0 turns it off.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long LowCreditBalance { get; set; } = 500;

    /// <summary><c>Usage:LiteLlm</c>: how LiteLLM's logging callback payloads become usage events (issue 20).</summary>
    public LiteLlmOptions LiteLlm { get; init; } = new();
}

/// <summary>The LiteLLM integration (<c>Usage:LiteLlm</c>, <c>POST /v1/usage/integrations/litellm</c>).</summary>
internal sealed class LiteLlmOptions
{
    /// <summary>The meter LiteLLM calls are recorded in (default <c>tokens</c>); it must be priced by model.</summary>
    public string Meter { get; set; } = "tokens";

    /// <summary>
    /// A request tag that names the plugin (agent) when <c>metadata.plugin_id</c> is absent: a tag
    /// <c>{PluginTagPrefix}{plugin id}</c> in the payload's <c>request_tags</c> (default prefix <c>plugin_id:</c>, as in
    /// <c>plugin_id:plg_123</c>). Empty turns tags off.
    /// </summary>
    public string PluginTagPrefix { get; set; } = "plugin_id:";
}

/// <summary>One meter (<c>Usage:Meters:&lt;key&gt;</c>).</summary>
internal sealed class MeterOptions
{
    /// <summary><c>count</c> (events), <c>sum</c> (of quantity), <c>max</c> (of quantity) or <c>unique_count</c> (distinct values of <see cref="UniqueProperty"/>).</summary>
    public string Aggregation { get; set; } = "sum";

    /// <summary>For <c>unique_count</c>: the property whose distinct values are counted.</summary>
    public string? UniqueProperty { get; set; }

    /// <summary>Event properties kept as dimensions of the rollups (<c>model</c>, <c>plugin_id</c>, <c>endpoint</c>).</summary>
    public List<string> Dimensions { get; set; } = [];

    /// <summary>The plan entitlement that limits this meter per month (<c>api_calls</c>, <c>tokens</c>), or null for no limit.</summary>
    public string? Entitlement { get; set; }

    /// <summary>True when usage costs money per model (tokens × <c>Usage:ModelPrices</c>): input and output tokens are kept apart.</summary>
    public bool PricedByModel { get; set; }
}

/// <summary>A model's token prices (<c>Usage:ModelPrices:&lt;model&gt;</c>): major units of <see cref="Currency"/> per million tokens.</summary>
internal sealed class ModelPriceOptions
{
    /// <summary>Price per million input (prompt) tokens, e.g. 2.50.</summary>
    public decimal Input { get; set; }

    /// <summary>Price per million output (completion) tokens, e.g. 10.00.</summary>
    public decimal Output { get; set; }

    /// <summary>ISO 4217 currency; must be <c>Usage:Currency</c> (default <c>usd</c>).</summary>
    public string Currency { get; set; } = "usd";
}

/// <summary>Limits of the <c>free</c> plan (<c>Usage:FreeLimits</c>), matching the Subscriptions module's <c>free</c> plan. Empty = unlimited.</summary>
internal sealed class FreeLimitsOptions
{
    /// <summary>Concurrent projects (default 1).</summary>
    public long? Projects { get; set; } = 1;

    /// <summary>Concurrent deploys (default 1).</summary>
    public long? Deploys { get; set; } = 1;

    /// <summary>API calls per month (default 300).</summary>
    public long? ApiCalls { get; set; } = 300;

    /// <summary>Tokens per month (default 100,000).</summary>
    public long? Tokens { get; set; } = 100_000;
}

/// <summary>A prepaid credit package (<c>Usage:CreditPackages:&lt;name&gt;</c>): the price paid is the credit granted.</summary>
internal sealed class CreditPackageOptions
{
    /// <summary>Price and credit, minor units of <see cref="Currency"/>.</summary>
    public long Amount { get; set; }

    /// <summary>ISO 4217 currency (default <c>usd</c>); must be <c>Usage:Currency</c>.</summary>
    public string Currency { get; set; } = "usd";

    /// <summary>Days the purchased credit stays usable; null = it never expires.</summary>
    public int? ExpiresAfterDays { get; set; }
}

/// <summary>The monthly usage invoice job (<c>Usage:InvoiceJob</c>).</summary>
internal sealed class InvoiceJobOptions
{
    /// <summary>Run the job in this process (default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Seconds between checks (default 300): a check invoices the previous month once it is closed for <c>LateDays</c>, and retries unpaid Stripe steps.</summary>
    [Range(1, 86_400)]
    public int IntervalSeconds { get; set; } = 300;
}

/// <summary>Checks what data annotations cannot: aggregations, currencies, packages; a bad configuration stops the Host at start.</summary>
internal sealed class UsageOptionsValidator : IValidateOptions<UsageOptions>
{
    public ValidateOptionsResult Validate(string? name, UsageOptions options)
    {
        var failures = new List<string>();
        if (!Money.IsValidCurrency(options.Currency))
        {
            failures.Add($"Usage:Currency '{options.Currency}' is not an ISO 4217 code.");
        }

        foreach (var (key, meter) in options.Meters)
        {
            if (!MeterCatalog.IsValidKey(key))
            {
                failures.Add($"Usage:Meters:{key}: a meter key is lowercase letters, digits and underscores.");
            }

            if (!MeterCatalog.TryParseAggregation(meter.Aggregation, out var aggregation))
            {
                failures.Add($"Usage:Meters:{key}:Aggregation '{meter.Aggregation}' is not count, sum, max or unique_count.");
            }
            else if (aggregation == MeterAggregation.UniqueCount && string.IsNullOrWhiteSpace(meter.UniqueProperty))
            {
                failures.Add($"Usage:Meters:{key}:UniqueProperty is required for unique_count.");
            }

            if (meter.Entitlement is not null and not ("api_calls" or "tokens"))
            {
                failures.Add($"Usage:Meters:{key}:Entitlement '{meter.Entitlement}' is not api_calls or tokens.");
            }

            if (meter.PricedByModel && aggregation != MeterAggregation.Sum)
            {
                failures.Add($"Usage:Meters:{key}: a meter priced by model sums tokens (Aggregation = sum).");
            }
        }

        if (!options.Meters.TryGetValue(options.LiteLlm.Meter, out var liteLlmMeter) || !liteLlmMeter.PricedByModel)
        {
            failures.Add($"Usage:LiteLlm:Meter '{options.LiteLlm.Meter}' is not a configured meter priced by model.");
        }

        foreach (var (model, price) in options.ModelPrices.Append(new KeyValuePair<string, ModelPriceOptions>("(default)", options.DefaultModelPrice)))
        {
            if (price.Input < 0 || price.Output < 0)
            {
                failures.Add($"Usage:ModelPrices:{model}: prices are not negative.");
            }

            if (!string.Equals(price.Currency, options.Currency, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"Usage:ModelPrices:{model}:Currency '{price.Currency}' differs from Usage:Currency '{options.Currency}'.");
            }
        }

        foreach (var (package, credit) in options.CreditPackages)
        {
            if (credit.Amount <= 0)
            {
                failures.Add($"Usage:CreditPackages:{package}:Amount must be above zero.");
            }

            if (!string.Equals(credit.Currency, options.Currency, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"Usage:CreditPackages:{package}:Currency '{credit.Currency}' differs from Usage:Currency '{options.Currency}'.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
