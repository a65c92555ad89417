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

    /// <summary>
    /// Checkout Session creation: <c>payment_method_types</c> was removed in endive (in favour of
    /// <c>allowed_payment_method_types</c>/<c>excluded_payment_method_types</c>); dahlia still takes it (shared/stripe/ENDPOINTS.md).
    /// </summary>
    /// <exception cref="ApiException">400 <c>parameter_unknown</c> for <c>payment_method_types</c> under endive.</exception>
    public static void CheckCheckoutSessionCreate(Forms.FormNode form, string version)
    {
        if (version == Current && form.Has("payment_method_types"))
        {
            throw ApiException.Unknown("payment_method_types");
        }
    }

    /// <summary>
    /// Subscription update: <c>billing_cycle_anchor</c> is <c>now|unchanged</c> in dahlia and the object
    /// <c>billing_cycle_anchor[type]=now|unchanged</c> in endive (shared/stripe/ENDPOINTS.md).
    /// </summary>
    /// <exception cref="ApiException">400 <c>invalid_request_error</c> naming <c>billing_cycle_anchor</c> for the other version's form or another value.</exception>
    public static void CheckBillingCycleAnchor(Forms.FormNode form, string version)
    {
        if (form.Get("billing_cycle_anchor") is not { } anchor)
        {
            return;
        }

        if (version == Current)
        {
            if (anchor.IsScalar || anchor.Str("type") is not ("now" or "unchanged"))
            {
                throw ApiException.Invalid($"In {Current} billing_cycle_anchor is an object: billing_cycle_anchor[type]=now or unchanged.", anchor.IsScalar ? "billing_cycle_anchor" : "billing_cycle_anchor[type]");
            }
        }
        else if (!anchor.IsScalar || anchor.Value is not ("now" or "unchanged"))
        {
            throw ApiException.Invalid($"In {Dahlia} billing_cycle_anchor is a string: now or unchanged.", "billing_cycle_anchor");
        }
    }

    /// <summary>The error for any other version (400, Stripe's wording first).</summary>
    public static ApiException Refused(string version) => new(400, "invalid_request_error",
        $"Invalid Stripe API version: {version}. This emulator renders objects in {Current} (the version Stripe.net 53.1.0 pins) and also accepts {Dahlia}.");
}
