using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Monetization.IntegrationEvents.Subscriptions;

namespace Monetization.Subscriptions.Domain;

/// <summary>Billing cadences a paid plan is sold in.</summary>
internal static class Cadences
{
    public const string Monthly = "monthly";
    public const string Annual = "annual";

    public static readonly IReadOnlyList<string> All = [Monthly, Annual];

    public static bool IsKnown(string? cadence) => cadence is Monthly or Annual;

    /// <summary>Stripe's <c>recurring.interval</c> for a cadence.</summary>
    public static string StripeInterval(string cadence) => cadence == Annual ? "year" : "month";

    /// <summary>The cadence of a Stripe price's <c>recurring.interval</c> (<c>month</c>/<c>year</c>), or null.</summary>
    public static string? FromStripeInterval(string? interval, long count = 1) => (interval, count) switch
    {
        ("month", 1) => Monthly,
        ("year", 1) => Annual,
        ("month", 12) => Annual,
        _ => null,
    };
}

/// <summary>A plan's price in one cadence.</summary>
/// <param name="Cadence"><c>monthly</c> or <c>annual</c>.</param>
/// <param name="Amount">Price per period in minor units of <paramref name="Currency"/>.</param>
/// <param name="Currency">Lower-case ISO 4217.</param>
/// <param name="TrialDays">Free trial given at checkout in this cadence (annual 14, monthly 0 by default: seed 001).</param>
internal sealed record PlanPrice(string Cadence, long Amount, string Currency, int TrialDays);

/// <summary>A plan of the catalog.</summary>
/// <param name="Key">Stable key (<c>free</c>, <c>premium</c>, <c>pro</c>).</param>
/// <param name="Name">Display name.</param>
/// <param name="Rank">Order of plans: a higher rank is an upgrade.</param>
/// <param name="Prices">Prices by cadence; empty for the free plan.</param>
/// <param name="Entitlements">Limits (null = unlimited) and feature flags.</param>
internal sealed record Plan(string Key, string Name, int Rank, IReadOnlyDictionary<string, PlanPrice> Prices, PlanEntitlements Entitlements)
{
    public bool IsPaid => Prices.Count > 0;
}

/// <summary>
/// The plans catalog, from configuration <c>Plans:&lt;key&gt;</c> over the module's defaults (seed 002's free/premium/pro limits),
/// plus the Stripe price id of each paid plan cadence (configured as <c>Plans:&lt;key&gt;:Prices:&lt;cadence&gt;:StripePriceId</c>, or
/// found/created in Stripe at start by <see cref="Jobs.SubscriptionsScheduler"/>). Thread-safe; price ids may be filled in later.
/// </summary>
internal sealed class PlanCatalog
{
    private readonly ConcurrentDictionary<(string Plan, string Cadence), string> _priceIds = new();
    private readonly ConcurrentDictionary<string, (string Plan, string Cadence)> _byPriceId = new(StringComparer.Ordinal);

    public PlanCatalog(IConfiguration configuration, IOptions<SubscriptionsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var plans = Defaults().ToDictionary(p => p.Plan.Key, StringComparer.Ordinal);
        foreach (var section in configuration.GetSection("Plans").GetChildren())
        {
            var key = section.Key.ToLowerInvariant();
            if (string.Equals(section["Enabled"], "false", StringComparison.OrdinalIgnoreCase))
            {
                plans.Remove(key);
                continue;
            }

            plans.TryGetValue(key, out var current);
            plans[key] = Overlay(key, current, section);
        }

        Plans = plans.Values.Select(p => p.Plan).OrderBy(p => p.Rank).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();

        // Against the emulator, configured ids (real Stripe's) mean nothing: every price is found or created there at start.
        var emulated = string.Equals(configuration["Stripe:Emulated"], "true", StringComparison.OrdinalIgnoreCase);
        foreach (var (plan, ids) in plans.Values.Where(_ => !emulated))
        {
            foreach (var (cadence, id) in ids)
            {
                SetPriceId(plan.Key, cadence, id);
            }
        }

        var free = options.Value.FreePlan;
        Free = Find(free) ?? throw new InvalidOperationException($"Subscriptions:FreePlan '{free}' is not a plan of the catalog (Plans:<key>).");
        if (Free.IsPaid)
        {
            throw new InvalidOperationException($"The free plan '{free}' must not have prices.");
        }

        var credit = options.Value.CreditPlan;
        CreditPlan = credit is null
            ? Plans.FirstOrDefault(p => p.IsPaid) ?? Free
            : Find(credit) ?? throw new InvalidOperationException($"Subscriptions:CreditPlan '{credit}' is not a plan of the catalog.");
    }

    /// <summary>Every plan by rank.</summary>
    public IReadOnlyList<Plan> Plans { get; }

    /// <summary>The plan without paid access.</summary>
    public Plan Free { get; }

    /// <summary>The plan a credit alone gives.</summary>
    public Plan CreditPlan { get; }

    public Plan? Find(string? key) => key is null ? null : Plans.FirstOrDefault(p => p.Key == key);

    public string? PriceIdOf(string plan, string cadence) => _priceIds.TryGetValue((plan, cadence), out var id) ? id : null;

    /// <summary>The plan and cadence a Stripe price id stands for, when the price is one of ours.</summary>
    public (Plan Plan, string Cadence)? ByPriceId(string? priceId) =>
        priceId is not null && _byPriceId.TryGetValue(priceId, out var found) && Find(found.Plan) is { } plan ? (plan, found.Cadence) : null;

    public void SetPriceId(string plan, string cadence, string priceId)
    {
        if (_priceIds.TryGetValue((plan, cadence), out var old))
        {
            _byPriceId.TryRemove(old, out _);
        }

        _priceIds[(plan, cadence)] = priceId;
        _byPriceId[priceId] = (plan, cadence);
    }

    /// <summary>Paid plan cadences that have no Stripe price id yet.</summary>
    public IEnumerable<(Plan Plan, PlanPrice Price)> MissingPriceIds() =>
        Plans.SelectMany(p => p.Prices.Values.Select(price => (p, price))).Where(x => PriceIdOf(x.p.Key, x.price.Cadence) is null);

    private static IEnumerable<(Plan Plan, Dictionary<string, string> PriceIds)> Defaults()
    {
        yield return (new Plan("free", "Free", 0, new Dictionary<string, PlanPrice>(), new PlanEntitlements(1, 1, 300, 100_000, [])), []);
        yield return (new Plan("premium", "Premium", 1, Prices(2_000, 20_000), new PlanEntitlements(5, 5, 3_000, 1_000_000, ["priority_support"])), []);
        yield return (new Plan("pro", "Pro", 2, Prices(4_900, 49_000), new PlanEntitlements(null, 25, 30_000, 10_000_000, ["priority_support", "custom_domains", "team_seats"])), []);

        static Dictionary<string, PlanPrice> Prices(long monthly, long annual) => new(StringComparer.Ordinal)
        {
            [Cadences.Monthly] = new PlanPrice(Cadences.Monthly, monthly, "usd", 0),
            [Cadences.Annual] = new PlanPrice(Cadences.Annual, annual, "usd", 14),
        };
    }

    private static (Plan Plan, Dictionary<string, string> PriceIds) Overlay(string key, (Plan Plan, Dictionary<string, string> PriceIds)? current, IConfigurationSection section)
    {
        var basePlan = current?.Plan;
        var name = section["Name"] ?? basePlan?.Name ?? CultureInfo.InvariantCulture.TextInfo.ToTitleCase(key);
        var rank = section["Rank"] is { } r ? ParseInt(r, $"Plans:{key}:Rank") : basePlan?.Rank ?? 0;
        var prices = new Dictionary<string, PlanPrice>(basePlan?.Prices ?? new Dictionary<string, PlanPrice>(), StringComparer.Ordinal);
        var ids = new Dictionary<string, string>(current?.PriceIds ?? [], StringComparer.Ordinal);
        foreach (var priceSection in section.GetSection("Prices").GetChildren())
        {
            var cadence = priceSection.Key.ToLowerInvariant();
            if (!Cadences.IsKnown(cadence))
            {
                throw new InvalidOperationException($"Plans:{key}:Prices:{priceSection.Key}: the cadence must be monthly or annual.");
            }

            if (string.Equals(priceSection["Enabled"], "false", StringComparison.OrdinalIgnoreCase))
            {
                prices.Remove(cadence);
                ids.Remove(cadence);
                continue;
            }

            prices.TryGetValue(cadence, out var old);
            var amount = priceSection["Amount"] is { } a ? ParseLong(a, $"Plans:{key}:Prices:{cadence}:Amount") : old?.Amount
                ?? throw new InvalidOperationException($"Plans:{key}:Prices:{cadence}:Amount is required (minor units).");
            if (amount <= 0)
            {
                throw new InvalidOperationException($"Plans:{key}:Prices:{cadence}:Amount must be above zero (minor units).");
            }

            var currency = (priceSection["Currency"] ?? old?.Currency ?? "usd").ToLowerInvariant();
            var trial = priceSection["TrialDays"] is { } t ? ParseInt(t, $"Plans:{key}:Prices:{cadence}:TrialDays") : old?.TrialDays ?? (cadence == Cadences.Annual ? 14 : 0);
            prices[cadence] = new PlanPrice(cadence, amount, currency, trial);
            if (priceSection["StripePriceId"] is { Length: > 0 } id)
            {
                ids[cadence] = id;
            }
        }

        var e = basePlan?.Entitlements ?? new PlanEntitlements(0, 0, 0, 0, []);
        var limits = section.GetSection("Limits");
        var features = section.GetSection("Features").GetChildren().Select(c => c.Value).OfType<string>().ToList();
        var entitlements = new PlanEntitlements(
            Limit(limits, "Projects", e.Projects, key),
            Limit(limits, "Deploys", e.Deploys, key),
            Limit(limits, "ApiCalls", e.ApiCalls, key),
            Limit(limits, "Tokens", e.Tokens, key),
            features.Count > 0 ? features : e.Features);
        return (new Plan(key, name, rank, prices, entitlements), ids);
    }

    private static long? Limit(IConfigurationSection limits, string name, long? fallback, string plan)
    {
        var value = limits[name];
        if (value is null)
        {
            return fallback;
        }

        if (value.Equals("unlimited", StringComparison.OrdinalIgnoreCase) || value == "-1")
        {
            return null;
        }

        var parsed = ParseLong(value, $"Plans:{plan}:Limits:{name}");
        return parsed >= 0 ? parsed : throw new InvalidOperationException($"Plans:{plan}:Limits:{name} must be >= 0 or 'unlimited'.");
    }

    private static long ParseLong(string value, string key) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new InvalidOperationException($"{key}: '{value}' is not an integer.");

    private static int ParseInt(string value, string key) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new InvalidOperationException($"{key}: '{value}' is not an integer.");
}
