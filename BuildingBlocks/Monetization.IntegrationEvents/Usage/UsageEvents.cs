namespace Monetization.IntegrationEvents.Usage;

/// <summary>
/// A user's usage of a meter crossed a threshold of their plan's limit in a period (once per user, meter, period
/// and threshold), or came back under it after a plan change (<see cref="Resolved"/>).
/// </summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When, UTC.</param>
/// <param name="UserId">The user.</param>
/// <param name="Meter">Meter key (<c>api_calls</c>, <c>tokens</c>, …).</param>
/// <param name="Period">Billing period <c>YYYY-MM</c>.</param>
/// <param name="Threshold">Percent of the limit: 80 (soft) or 100 (hard).</param>
/// <param name="Used">Usage at the time.</param>
/// <param name="Limit">The plan's limit at the time.</param>
/// <param name="Resolved">True when usage is back under the threshold (a plan upgrade).</param>
/// <param name="Unlimited">True when the plan now has no limit for the meter (then <paramref name="Limit"/> is 0); only on a resolution.</param>
public sealed record UsageThresholdCrossed(Guid EventId, DateTimeOffset OccurredAt, string UserId, string Meter, string Period, int Threshold, long Used, long Limit, bool Resolved, bool Unlimited = false)
    : IIntegrationEvent;

/// <summary>
/// A usage invoice line of a usage-priced plugin was PAID (issue 20): by Stripe, by prepaid credits, or both (credits
/// count as paid), so its developer earns a share now. Raised once per line, when its invoice becomes paid, never when
/// the invoice is only created (that is <see cref="UsageChargeBilled"/>). A later refund of the Stripe invoice reaches
/// Marketplace as <c>PaymentRefunded</c> and is matched through <paramref name="StripeInvoiceId"/>.
/// </summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When the invoice was paid, UTC.</param>
/// <param name="ChargeId">Unique id of the charged line (<c>uil_…</c>, the revenue source id).</param>
/// <param name="UsageInvoiceId">Our usage invoice id.</param>
/// <param name="UserId">Who used it.</param>
/// <param name="PluginId">The plugin (<c>properties.plugin_id</c> of the usage).</param>
/// <param name="Period">Billing period <c>YYYY-MM</c> of the usage.</param>
/// <param name="Quantity">Units used (tokens).</param>
/// <param name="Amount">The line's amount, paid, minor units.</param>
/// <param name="Currency">ISO 4217, lowercase.</param>
/// <param name="StripeInvoiceId">The Stripe invoice (<c>in_…</c>) that collected what credits did not cover; null when credits paid it all.</param>
public sealed record UsageCharged(Guid EventId, DateTimeOffset OccurredAt, string ChargeId, string UsageInvoiceId, string UserId, string PluginId, string Period, long Quantity, long Amount, string Currency, string? StripeInvoiceId = null)
    : IIntegrationEvent;

/// <summary>
/// A usage invoice line of a usage-priced plugin is billed but NOT yet paid (issue 20): raised when the invoice is created
/// with an amount due, and again (<paramref name="PaymentFailed"/> true) each time its payment is declined. Marketplace
/// shows the developer's share as uncollected in earnings and never pays it out; <see cref="UsageCharged"/> follows when
/// the invoice is paid.
/// </summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When, UTC.</param>
/// <param name="ChargeId">The line (<c>uil_…</c>), the same id <see cref="UsageCharged"/> will carry.</param>
/// <param name="UsageInvoiceId">Our usage invoice id.</param>
/// <param name="UserId">Who used it.</param>
/// <param name="PluginId">The plugin.</param>
/// <param name="Period">Billing period <c>YYYY-MM</c> of the usage.</param>
/// <param name="Quantity">Units used (tokens).</param>
/// <param name="Amount">The line's amount, minor units.</param>
/// <param name="Currency">ISO 4217, lowercase.</param>
/// <param name="PaymentFailed">True when the invoice's payment was declined (Stripe retries or the admin re-runs it).</param>
public sealed record UsageChargeBilled(Guid EventId, DateTimeOffset OccurredAt, string ChargeId, string UsageInvoiceId, string UserId, string PluginId, string Period, long Quantity, long Amount, string Currency, bool PaymentFailed)
    : IIntegrationEvent;

/// <summary>
/// A usage-priced plugin's charge will never be paid: its usage invoice was voided (issue 20, by the admin route or Stripe's
/// <c>invoice.voided</c>) before it was paid. Marketplace drops the uncollected charge; no revenue was ever recorded for it.
/// </summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When the invoice was voided, UTC.</param>
/// <param name="ChargeId">The line (<c>uil_…</c>), the id <see cref="UsageChargeBilled"/> carried.</param>
/// <param name="UsageInvoiceId">Our usage invoice id.</param>
/// <param name="UserId">Who used it.</param>
/// <param name="PluginId">The plugin.</param>
/// <param name="Period">Billing period <c>YYYY-MM</c> of the usage.</param>
/// <param name="Amount">The line's amount, never collected, minor units.</param>
/// <param name="Currency">ISO 4217, lowercase.</param>
public sealed record UsageChargeVoided(Guid EventId, DateTimeOffset OccurredAt, string ChargeId, string UsageInvoiceId, string UserId, string PluginId, string Period, long Amount, string Currency)
    : IIntegrationEvent;

/// <summary>
/// A usage invoice was issued for a closed period (issue 18's <c>invoice.usage_issued</c>): numbered, priced, prepaid
/// credits applied. Raised once per usage invoice, in the transaction that creates it.
/// </summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When it was issued, UTC.</param>
/// <param name="UsageInvoiceId">Our usage invoice id (<c>uin_…</c>).</param>
/// <param name="Number">Its number, <c>INV-YYYYMM-NNNN</c>.</param>
/// <param name="UserId">Whose usage.</param>
/// <param name="Period">Billing period <c>YYYY-MM</c> of the usage.</param>
/// <param name="Subtotal">Sum of the lines, minor units.</param>
/// <param name="CreditsApplied">Prepaid credits spent on it, minor units.</param>
/// <param name="AmountDue">What Stripe is to collect (<paramref name="Subtotal"/> − <paramref name="CreditsApplied"/>), minor units.</param>
/// <param name="Currency">ISO 4217, lowercase.</param>
/// <param name="Status">The usage invoice's status when issued (<c>paid</c> when credits covered it, <c>pending</c>, <c>awaiting_customer</c>).</param>
public sealed record UsageInvoiceIssued(
    Guid EventId,
    DateTimeOffset OccurredAt,
    string UsageInvoiceId,
    string Number,
    string UserId,
    string Period,
    long Subtotal,
    long CreditsApplied,
    long AmountDue,
    string Currency,
    string Status) : IIntegrationEvent;

/// <summary>
/// A user's prepaid credit balance in a currency fell below the configured threshold (<c>Usage:LowCreditBalance</c>,
/// minor units) when credits were spent: raised when a spend takes the balance from at or above the threshold to below it,
/// so once per fall (issue 18's <c>credits.low_balance</c>).
/// </summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When, UTC.</param>
/// <param name="UserId">The user.</param>
/// <param name="Balance">Live credit left after the spend, minor units.</param>
/// <param name="Threshold">The configured threshold, minor units.</param>
/// <param name="Currency">ISO 4217, lowercase.</param>
public sealed record CreditBalanceDropped(Guid EventId, DateTimeOffset OccurredAt, string UserId, long Balance, long Threshold, string Currency) : IIntegrationEvent;
