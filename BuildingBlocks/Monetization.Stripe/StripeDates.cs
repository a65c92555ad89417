namespace Monetization.Stripe;

/// <summary>
/// Stripe.net's timestamps as the project keeps time: Stripe sends Unix seconds, Stripe.net reads them into UTC
/// <see cref="DateTime"/>s (and a field absent from the payload into <see cref="DateTime.MinValue"/>); the modules store UTC
/// <see cref="DateTimeOffset"/>s.
/// </summary>
public static class StripeDates
{
    /// <summary>The instant as a UTC <see cref="DateTimeOffset"/>; null for null or an absent field (<see cref="DateTime.MinValue"/>).</summary>
    /// <param name="value">A timestamp from a Stripe.net model.</param>
    public static DateTimeOffset? Utc(DateTime? value) =>
        value is not { } v || v == DateTime.MinValue ? null : new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc), TimeSpan.Zero);
}
