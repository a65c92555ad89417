namespace Monetization.Referrals.Domain;

/// <summary>
/// Derives credit_until from a user's ledger. A grant starts at max(its time, the credit_until before it), so credits
/// stack (the seed's anchoring, like <c>cli.grant_credit</c>); a reversal takes its days back from the end of the window,
/// but never below the moment of the reversal (access ends then at the latest).
/// </summary>
internal static class CreditLedger
{
    /// <summary>Where a grant made at <paramref name="at"/> starts, given the credit_until before it.</summary>
    public static DateTimeOffset AnchorOf(DateTimeOffset at, DateTimeOffset? creditUntil) =>
        creditUntil is { } until && until > at ? until : at;

    /// <summary>credit_until after applying one entry of <paramref name="days"/> (signed) at <paramref name="at"/>.</summary>
    public static DateTimeOffset Apply(DateTimeOffset? creditUntil, DateTimeOffset at, int days)
    {
        if (days >= 0)
        {
            return AnchorOf(at, creditUntil).AddDays(days);
        }

        var shrunk = (creditUntil ?? at).AddDays(days);
        return shrunk > at ? shrunk : at;
    }

    /// <summary>credit_until after every entry, in ledger order; null for an empty ledger.</summary>
    public static DateTimeOffset? CreditUntil(IEnumerable<CreditEntry> entriesInOrder)
    {
        ArgumentNullException.ThrowIfNull(entriesInOrder);
        DateTimeOffset? until = null;
        foreach (var entry in entriesInOrder)
        {
            until = Apply(until, entry.CreatedAt, entry.Days);
        }

        return until;
    }

    /// <summary>Whole days of credit left at <paramref name="now"/> (a started day counts), 0 when none.</summary>
    public static int DaysRemaining(DateTimeOffset? creditUntil, DateTimeOffset now) =>
        creditUntil is { } until && until > now ? (int)Math.Ceiling((until - now).TotalDays) : 0;
}
