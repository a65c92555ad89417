using System.Globalization;

namespace Monetization.BuildingBlocks.Billing;

/// <summary>
/// An amount of money: <see cref="Amount"/> in minor units (cents for USD) of <see cref="Currency"/>, an ISO 4217 code in
/// lowercase as Stripe writes it. Never floating point (docs/architecture.md, "Money, time and identifiers").
/// Arithmetic between different currencies throws <see cref="InvalidOperationException"/>.
/// </summary>
/// <param name="Amount">Minor units; may be negative (refunds, reversals).</param>
/// <param name="Currency">ISO 4217 code, lowercase (<c>usd</c>).</param>
public readonly record struct Money(long Amount, string Currency)
{
    /// <summary>Zero of a currency.</summary>
    /// <param name="currency">ISO 4217 code; normalised to lowercase.</param>
    public static Money Zero(string currency) => new(0, NormalizeCurrency(currency));

    /// <summary>Creates money after normalising and checking the currency code.</summary>
    /// <exception cref="ArgumentException">The currency is not three ASCII letters.</exception>
    public static Money Of(long amount, string currency) => new(amount, NormalizeCurrency(currency));

    /// <summary>Lowercases and checks an ISO 4217 code (three ASCII letters).</summary>
    /// <exception cref="ArgumentException">The code is not three ASCII letters.</exception>
    public static string NormalizeCurrency(string currency)
    {
        if (!IsValidCurrency(currency))
        {
            throw new ArgumentException($"'{currency}' is not an ISO 4217 currency code (three letters).", nameof(currency));
        }

        return currency.ToLowerInvariant();
    }

    /// <summary>True when <paramref name="currency"/> is three ASCII letters.</summary>
    public static bool IsValidCurrency(string? currency) =>
        currency is { Length: 3 } && currency.All(char.IsAsciiLetter);

    /// <summary>Adds two amounts of the same currency.</summary>
    /// <exception cref="InvalidOperationException">Currencies differ.</exception>
    public static Money operator +(Money left, Money right) => new(checked(left.Amount + right.Amount), SameCurrency(left, right));

    /// <summary>Subtracts two amounts of the same currency.</summary>
    /// <exception cref="InvalidOperationException">Currencies differ.</exception>
    public static Money operator -(Money left, Money right) => new(checked(left.Amount - right.Amount), SameCurrency(left, right));

    /// <summary>The negated amount.</summary>
    public static Money operator -(Money value) => new(checked(-value.Amount), value.Currency);

    /// <summary>Adds two amounts of the same currency.</summary>
    public static Money Add(Money left, Money right) => left + right;

    /// <summary>Subtracts two amounts of the same currency.</summary>
    public static Money Subtract(Money left, Money right) => left - right;

    /// <summary>The negated amount.</summary>
    public static Money Negate(Money value) => -value;

    /// <summary>
    /// Splits the amount by a share in basis points (1/100 of a percent, 0..10,000). The share's part is rounded
    /// toward zero and the rest gets the remainder, so <c>share + rest == this</c> exactly, for any sign.
    /// Used for revenue shares (the developer's share is rounded down, Marketplace issue).
    /// </summary>
    /// <param name="shareBps">Share of the first part, in basis points.</param>
    /// <returns>(share, remainder), both in this currency, summing to this amount.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shareBps"/> is outside 0..10,000.</exception>
    public (Money Share, Money Remainder) SplitBps(int shareBps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shareBps);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shareBps, 10_000);
        var share = (long)((Int128)Amount * shareBps / 10_000);
        return (new Money(share, Currency), new Money(Amount - share, Currency));
    }

    /// <summary>
    /// Allocates the amount across weights in integers: each part is its floor share and the remainder is handed out one
    /// minor unit at a time to the parts with the largest fractional remainders (ties to the earlier part), so the parts
    /// always sum to the whole.
    /// </summary>
    /// <param name="weights">Non-negative weights, at least one above zero.</param>
    /// <exception cref="ArgumentException">No weights, a negative weight, or all weights zero.</exception>
    public IReadOnlyList<Money> Allocate(IReadOnlyList<long> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count == 0 || weights.Any(w => w < 0) || weights.All(w => w == 0))
        {
            throw new ArgumentException("Weights must be non-negative with at least one above zero.", nameof(weights));
        }

        Int128 total = 0;
        foreach (var w in weights)
        {
            total += w;
        }

        var sign = Amount < 0 ? -1 : 1;
        Int128 magnitude = Amount < 0 ? -(Int128)Amount : Amount;
        var parts = new long[weights.Count];
        var remainders = new Int128[weights.Count];
        Int128 allocated = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            var product = magnitude * weights[i];
            parts[i] = (long)(product / total);
            remainders[i] = product % total;
            allocated += parts[i];
        }

        var left = (long)(magnitude - allocated);
        var currency = Currency;
        foreach (var index in Enumerable.Range(0, weights.Count).OrderByDescending(i => remainders[i]).ThenBy(i => i).Take((int)left))
        {
            parts[index]++;
        }

        return parts.Select(p => new Money(sign * p, currency)).ToList();
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Amount} {Currency}");

    private static string SameCurrency(Money left, Money right) =>
        string.Equals(left.Currency, right.Currency, StringComparison.OrdinalIgnoreCase)
            ? left.Currency
            : throw new InvalidOperationException($"Cannot combine {left.Currency} with {right.Currency}.");
}
