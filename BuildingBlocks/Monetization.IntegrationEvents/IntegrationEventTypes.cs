using Monetization.IntegrationEvents.Marketplace;
using Monetization.IntegrationEvents.Referrals;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.IntegrationEvents.Usage;

namespace Monetization.IntegrationEvents;

/// <summary>
/// The explicit registry of integration event types by their stable wire name, used by the outbox to store and
/// read events. Names never change once shipped; a new version of an event adds optional members instead.
/// </summary>
public static class IntegrationEventTypes
{
    /// <summary>Every event this assembly defines, keyed by wire name (<c>module.event_name</c>).</summary>
    public static IReadOnlyDictionary<string, Type> All { get; } = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        ["subscriptions.stripe_customer_linked"] = typeof(StripeCustomerLinked),
        ["subscriptions.subscription_changed"] = typeof(SubscriptionChanged),
        ["subscriptions.first_paid_transition"] = typeof(FirstPaidTransition),
        ["subscriptions.invoice_paid"] = typeof(InvoicePaid),
        ["subscriptions.invoice_payment_failed"] = typeof(InvoicePaymentFailed),
        ["subscriptions.checkout_completed"] = typeof(CheckoutCompleted),
        ["subscriptions.payment_refunded"] = typeof(PaymentRefunded),
        ["subscriptions.connected_account_updated"] = typeof(ConnectedAccountUpdated),
        ["subscriptions.invoice_voided"] = typeof(InvoiceVoided),
        ["referrals.access_credit_granted"] = typeof(AccessCreditGranted),
        ["referrals.access_credit_reversed"] = typeof(AccessCreditReversed),
        ["marketplace.plugin_installed"] = typeof(PluginInstalled),
        ["marketplace.plugin_uninstalled"] = typeof(PluginUninstalled),
        ["marketplace.payout_sent"] = typeof(PayoutSent),
        ["marketplace.payout_failed"] = typeof(PayoutFailed),
        ["marketplace.plugin_usage_priced"] = typeof(PluginUsagePriced),
        ["usage.threshold_crossed"] = typeof(UsageThresholdCrossed),
        ["usage.usage_charged"] = typeof(UsageCharged),
        ["usage.usage_charge_billed"] = typeof(UsageChargeBilled),
        ["usage.usage_charge_voided"] = typeof(UsageChargeVoided),
        ["usage.usage_invoice_issued"] = typeof(UsageInvoiceIssued),
        ["usage.credit_balance_dropped"] = typeof(CreditBalanceDropped),
    };
}
