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
/// Usage of a usage-priced plugin was billed on a usage invoice line, so its developer earns a share.
/// </summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When, UTC.</param>
/// <param name="ChargeId">Unique id of the charged line (the revenue source id).</param>
/// <param name="UsageInvoiceId">Our usage invoice id.</param>
/// <param name="UserId">Who used it.</param>
/// <param name="PluginId">The plugin (<c>properties.plugin_id</c> of the usage).</param>
/// <param name="Period">Billing period <c>YYYY-MM</c>.</param>
/// <param name="Quantity">Units used (tokens).</param>
/// <param name="Amount">Charged amount, minor units.</param>
/// <param name="Currency">ISO 4217, lowercase.</param>
public sealed record UsageCharged(Guid EventId, DateTimeOffset OccurredAt, string ChargeId, string UsageInvoiceId, string UserId, string PluginId, string Period, long Quantity, long Amount, string Currency)
    : IIntegrationEvent;
