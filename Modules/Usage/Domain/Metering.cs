namespace Monetization.Usage.Domain;

/// <summary>
/// One accepted usage event, stored once per <see cref="EventId"/> (the idempotency key, the primary key of a
/// WITHOUT ROWID table). Written only by raw SQL in ingestion; kept for audit and re-aggregation, never read to answer
/// consumption.
/// </summary>
internal sealed class UsageEventRecord
{
    /// <summary>The sender's event id, the primary key.</summary>
    public string EventId { get; set; } = "";

    /// <summary>The user who consumed.</summary>
    public string UserId { get; set; } = "";

    /// <summary>Meter key.</summary>
    public string Meter { get; set; } = "";

    /// <summary>Quantity as sent (1 when absent).</summary>
    public long Quantity { get; set; }

    /// <summary>When it happened, UTC.</summary>
    public DateTimeOffset Timestamp { get; set; }

    /// <summary>Billing period <c>YYYY-MM</c> of <see cref="Timestamp"/>.</summary>
    public string Period { get; set; } = "";

    /// <summary>The event's properties as JSON, if any.</summary>
    public string? Properties { get; set; }

    /// <summary>When it was received, UTC.</summary>
    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>
/// The running total of a meter for a user and billing month, kept up to date at ingestion: one row with empty
/// <see cref="Dimensions"/> for the whole meter (the total a plan limit counts), and one per combination of the meter's
/// dimension values (<c>model=gpt-4o&amp;plugin_id=plg_1</c>, values URI-escaped, names sorted). Day totals are kept
/// apart, in <see cref="UsageDayTotal"/>.
/// </summary>
internal sealed class UsageRollup
{
    /// <summary>User.</summary>
    public string UserId { get; set; } = "";

    /// <summary>Billing period <c>YYYY-MM</c> (UTC).</summary>
    public string Period { get; set; } = "";

    /// <summary>Meter key.</summary>
    public string Meter { get; set; } = "";

    /// <summary>"" for the total, else the encoded dimension values.</summary>
    public string Dimensions { get; set; } = "";

    /// <summary>Aggregated usage (count, sum, max or distinct count).</summary>
    public long Used { get; set; }

    /// <summary>Input tokens (meters priced by model).</summary>
    public long InputTokens { get; set; }

    /// <summary>Output tokens (meters priced by model).</summary>
    public long OutputTokens { get; set; }

    /// <summary>Number of events aggregated.</summary>
    public long Events { get; set; }

    /// <summary>Last change, UTC.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// The total of a meter for a user on one UTC day (issue 20's usage summary by day), kept up to date at ingestion beside the
/// month rows but in its own table, clustered by day first (<c>Day, UserId, Meter</c>). Usage arrives for the current day,
/// so the rows a batch changes sit together at the table's end, and the month table that limits and consumption read stays
/// one row per user, meter and dimension values however many days have passed (issue 22: interleaved with the month rows,
/// the day rows outnumbered them up to 31 to 1 and put every event on more pages; docs/performance.md, sixteenth session).
/// Never a limit's total.
/// </summary>
internal sealed class UsageDayTotal
{
    /// <summary>The UTC day as the number <c>yyyymmdd</c> (20261205), so that days sort and compare as integers.</summary>
    public int Day { get; set; }

    /// <summary>User.</summary>
    public string UserId { get; set; } = "";

    /// <summary>Meter key.</summary>
    public string Meter { get; set; } = "";

    /// <summary>Aggregated usage of the day (count, sum, max or distinct count).</summary>
    public long Used { get; set; }

    /// <summary>Input tokens (meters priced by model).</summary>
    public long InputTokens { get; set; }

    /// <summary>Output tokens (meters priced by model).</summary>
    public long OutputTokens { get; set; }

    /// <summary>Number of events aggregated.</summary>
    public long Events { get; set; }
}

/// <summary>
/// UTC days of usage (issue 20). In a batch's <see cref="RollupChanges"/> a day total is a <see cref="RollupKey"/> whose
/// period is the day <c>YYYY-MM-DD</c> and whose dimensions are empty; the store writes those to
/// <see cref="UsageDayTotal"/>, whose <see cref="UsageDayTotal.Day"/> is <see cref="Number(string)"/> of the day. Limits never count them.
/// </summary>
internal static class UsageDay
{
    /// <summary>The UTC day <c>YYYY-MM-DD</c> of a timestamp in UTC ticks.</summary>
    public static string Of(long utcTicks) => new DateTime(utcTicks, DateTimeKind.Utc).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>True for a day period (<c>YYYY-MM-DD</c>), false for a month (<c>YYYY-MM</c>).</summary>
    public static bool IsDay(string period) => period.Length == 10;

    /// <summary>The day <c>YYYY-MM-DD</c> as the number <c>yyyymmdd</c>.</summary>
    /// <exception cref="FormatException">Not a day <c>YYYY-MM-DD</c> of digits.</exception>
    public static int Number(string day)
    {
        if (day.Length != 10 || day[4] != '-' || day[7] != '-')
        {
            throw new FormatException($"'{day}' is not a day YYYY-MM-DD.");
        }

        return (Digits(day.AsSpan(0, 4)) * 100 + Digits(day.AsSpan(5, 2))) * 100 + Digits(day.AsSpan(8, 2));
    }

    /// <summary>The UTC date of <paramref name="utc"/> as the number <c>yyyymmdd</c>.</summary>
    public static int Number(DateTimeOffset utc)
    {
        var date = utc.UtcDateTime;
        return (date.Year * 100 + date.Month) * 100 + date.Day;
    }

    /// <summary>The number <c>yyyymmdd</c> as the day <c>YYYY-MM-DD</c>.</summary>
    public static string Text(int number) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{number / 10000:D4}-{number / 100 % 100:D2}-{number % 100:D2}");

    private static int Digits(ReadOnlySpan<char> digits) =>
        int.Parse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A distinct value seen by a <c>unique_count</c> meter for one rollup row.</summary>
internal sealed class UsageUniqueValue
{
    /// <summary>User.</summary>
    public string UserId { get; set; } = "";

    /// <summary>Period <c>YYYY-MM</c>, or the UTC day <c>YYYY-MM-DD</c> for the values of a day total (<see cref="UsageDay"/>).</summary>
    public string Period { get; set; } = "";

    /// <summary>Meter key.</summary>
    public string Meter { get; set; } = "";

    /// <summary>The rollup row's dimensions.</summary>
    public string Dimensions { get; set; } = "";

    /// <summary>The distinct value.</summary>
    public string Value { get; set; } = "";
}

/// <summary>What Usage knows of a user: the plan's limits (from <c>SubscriptionChanged</c>) and the Stripe customer.</summary>
internal sealed class UsageAccount
{
    /// <summary>User.</summary>
    public string UserId { get; set; } = "";

    /// <summary>Plan key (<c>free</c> until a <c>SubscriptionChanged</c> says otherwise).</summary>
    public string Plan { get; set; } = "free";

    /// <summary>Version of the last applied <c>SubscriptionChanged</c>; 0 = none yet (limits come from <c>Usage:FreeLimits</c>).</summary>
    public long PlanVersion { get; set; }

    /// <summary>Concurrent projects; null = unlimited.</summary>
    public long? ProjectsLimit { get; set; }

    /// <summary>Concurrent deploys; null = unlimited.</summary>
    public long? DeploysLimit { get; set; }

    /// <summary>API calls per month; null = unlimited.</summary>
    public long? ApiCallsLimit { get; set; }

    /// <summary>Tokens per month; null = unlimited.</summary>
    public long? TokensLimit { get; set; }

    /// <summary>Stripe customer (<c>cus_…</c>), when known.</summary>
    public string? StripeCustomerId { get; set; }

    /// <summary>
    /// The user's Stripe subscription (<c>sub_…</c>) from the last applied <c>SubscriptionChanged</c>, if any. A usage invoice
    /// is created on it so that Stripe charges the subscription's default payment method (a payment-mode or subscription
    /// Checkout does not set the customer's <c>invoice_settings.default_payment_method</c>).
    /// </summary>
    public string? StripeSubscriptionId { get; set; }

    /// <summary>Last change, UTC.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A threshold (80 or 100 percent) a user's meter crossed in a period; the row makes the alert exactly-once.</summary>
internal sealed class ThresholdAlert
{
    /// <summary>User.</summary>
    public string UserId { get; set; } = "";

    /// <summary>Meter key.</summary>
    public string Meter { get; set; } = "";

    /// <summary>Period <c>YYYY-MM</c>.</summary>
    public string Period { get; set; } = "";

    /// <summary>80 or 100.</summary>
    public int Threshold { get; set; }

    /// <summary>Usage when crossed.</summary>
    public long Used { get; set; }

    /// <summary>Limit when crossed.</summary>
    public long Limit { get; set; }

    /// <summary>When crossed, UTC.</summary>
    public DateTimeOffset CrossedAt { get; set; }

    /// <summary>When a plan change brought usage back under, UTC.</summary>
    public DateTimeOffset? ResolvedAt { get; set; }
}
