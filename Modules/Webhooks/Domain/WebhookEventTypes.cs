namespace Monetization.Webhooks.Domain;

/// <summary>
/// The public event types the product can subscribe to (issue 18), and where each comes from. Every body is
/// <c>{id, type, created_at, user_id, data}</c> with <c>data</c> in the API's snake_case shapes; docs/modules/webhooks.md has an
/// example of each.
/// </summary>
public static class WebhookEventTypes
{
    /// <summary>Subscribe to every type, present and future.</summary>
    public const string All = "*";

    /// <summary>The user's effective access (tier or plan) changed: <c>from</c>, <c>to</c>, <c>reason</c>, <c>until</c> (Subscriptions' <c>SubscriptionChanged</c>).</summary>
    public const string AccessChanged = "access.changed";

    /// <summary>Anything of the user's subscription state changed: plan, status, access, period, cancellation (every <c>SubscriptionChanged</c>).</summary>
    public const string SubscriptionChanged = "subscription.changed";

    /// <summary>A payment attempt failed; carries the grace period's end (<c>InvoicePaymentFailed</c>).</summary>
    public const string PaymentFailed = "payment.failed";

    /// <summary>A past-due subscription is active again: a later payment succeeded (<c>SubscriptionChanged</c> past_due → active).</summary>
    public const string PaymentRecovered = "payment.recovered";

    /// <summary>A referred user's first payment converted their referral (<c>AccessCreditGranted</c> of reason <c>referral_buyer</c>).</summary>
    public const string ReferralConverted = "referral.converted";

    /// <summary>Days of paid access were granted: a referral reward or an admin's grant (<c>AccessCreditGranted</c>).</summary>
    public const string ReferralCreditGranted = "referral.credit_granted";

    /// <summary>A grant was clawed back (<c>AccessCreditReversed</c>).</summary>
    public const string ReferralCreditReversed = "referral.credit_reversed";

    /// <summary>A meter reached 80 % or 100 % of the plan's limit in a period (<c>UsageThresholdCrossed</c>).</summary>
    public const string UsageThresholdCrossed = "usage.threshold_crossed";

    /// <summary>A meter is back under a threshold after a plan change (<c>UsageThresholdCrossed</c> with <c>resolved</c>).</summary>
    public const string UsageThresholdResolved = "usage.threshold_resolved";

    /// <summary>Prepaid credits fell below <c>Usage:LowCreditBalance</c> (<c>CreditBalanceDropped</c>).</summary>
    public const string CreditsLowBalance = "credits.low_balance";

    /// <summary>A plugin install became active (<c>PluginInstalled</c> with status <c>active</c>).</summary>
    public const string InstallActivated = "marketplace.install.activated";

    /// <summary>A plugin was uninstalled (<c>PluginUninstalled</c>).</summary>
    public const string InstallCanceled = "marketplace.install.canceled";

    /// <summary>A developer's payout for a period was transferred (<c>PayoutSent</c>).</summary>
    public const string PayoutPaid = "marketplace.payout.paid";

    /// <summary>Stripe refused a developer's payout transfer; it is retried (<c>PayoutFailed</c>).</summary>
    public const string PayoutFailed = "marketplace.payout.failed";

    /// <summary>A usage invoice was issued for a closed period (<c>UsageInvoiceIssued</c>).</summary>
    public const string UsageInvoiceIssued = "invoice.usage_issued";

    /// <summary>Every type, in the catalogue's order.</summary>
    public static IReadOnlyList<string> Catalogue { get; } =
    [
        AccessChanged, SubscriptionChanged, PaymentFailed, PaymentRecovered, ReferralConverted, ReferralCreditGranted, ReferralCreditReversed,
        UsageThresholdCrossed, UsageThresholdResolved, CreditsLowBalance, InstallActivated, InstallCanceled, PayoutPaid, PayoutFailed, UsageInvoiceIssued,
    ];

    /// <summary>Whether <paramref name="type"/> is <see cref="All"/> or in the catalogue.</summary>
    public static bool IsKnown(string type) => type == All || Catalogue.Contains(type, StringComparer.Ordinal);
}
