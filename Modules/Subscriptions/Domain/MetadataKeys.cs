namespace Monetization.Subscriptions.Domain;

/// <summary>Metadata keys this module sets on Stripe objects (checkout sessions, subscriptions, customers).</summary>
internal static class MetadataKeys
{
    public const string UserId = "user_id";
    public const string Plan = "plan";
    public const string Cadence = "cadence";
    public const string Purpose = "purpose";
}
