namespace Monetization.StripeEmulator.Http;

/// <summary>
/// The Stripe API versions the emulator serves (docs/adr/0030-emulator-api-version.md). Objects and events are rendered
/// in <see cref="Current"/>, the version Stripe.net 53.1.0 pins. <c>2026-07-29.dahlia</c> is accepted too: the objects of
/// the operations the emulator serves are the same in both (endive changed request parameters only:
/// <c>billing_cycle_anchor[type]</c> on subscription updates, <c>payment_method_types</c> removed from Checkout Session
/// creation). Any other <c>Stripe-Version</c> is refused with 400 <c>invalid_request_error</c>, as Stripe refuses an
/// unknown version, rather than answered in shapes the caller did not ask for.
/// </summary>
internal static class ApiVersions
{
    /// <summary>The version objects and events are rendered in (<c>api_version</c> of every event).</summary>
    public const string Current = "2026-10-28.endive";

    /// <summary>The previous version, still accepted in <c>Stripe-Version</c>.</summary>
    public const string Dahlia = "2026-07-29.dahlia";

    /// <summary>True for a <c>Stripe-Version</c> header value the emulator serves.</summary>
    public static bool IsAccepted(string version) => version is Current or Dahlia;

    /// <summary>The error for any other version (400, Stripe's wording first).</summary>
    public static ApiException Refused(string version) => new(400, "invalid_request_error",
        $"Invalid Stripe API version: {version}. This emulator renders objects in {Current} (the version Stripe.net 53.1.0 pins) and also accepts {Dahlia}.");
}
