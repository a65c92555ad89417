namespace Monetization.IntegrationEvents.Marketplace;

/// <summary>A user installed a plugin.</summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When, UTC.</param>
/// <param name="InstallId">Install id (<c>ins_…</c>).</param>
/// <param name="PluginId">Plugin id (<c>plg_…</c>).</param>
/// <param name="DeveloperId">The plugin's developer.</param>
/// <param name="UserId">Who installed it.</param>
/// <param name="PricingModel"><c>free</c>, <c>one_time</c>, <c>monthly</c> or <c>usage</c>.</param>
/// <param name="Status">The install's status after the change (<c>active</c>, <c>pending</c>).</param>
public sealed record PluginInstalled(Guid EventId, DateTimeOffset OccurredAt, string InstallId, string PluginId, string DeveloperId, string UserId, string PricingModel, string Status)
    : IIntegrationEvent;

/// <summary>A user uninstalled a plugin.</summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When, UTC.</param>
/// <param name="InstallId">Install id.</param>
/// <param name="PluginId">Plugin id.</param>
/// <param name="UserId">Who uninstalled it.</param>
public sealed record PluginUninstalled(Guid EventId, DateTimeOffset OccurredAt, string InstallId, string PluginId, string UserId)
    : IIntegrationEvent;

/// <summary>A developer was paid for a period through a Stripe Connect transfer.</summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When, UTC.</param>
/// <param name="PayoutId">Payout id (<c>po_…</c>, ours).</param>
/// <param name="DeveloperId">The developer paid.</param>
/// <param name="Period">Billing period <c>YYYY-MM</c>.</param>
/// <param name="Amount">Minor units.</param>
/// <param name="Currency">ISO 4217, lowercase.</param>
/// <param name="TransferId">Stripe transfer id (<c>tr_…</c>).</param>
public sealed record PayoutSent(Guid EventId, DateTimeOffset OccurredAt, string PayoutId, string DeveloperId, string Period, long Amount, string Currency, string TransferId)
    : IIntegrationEvent;

/// <summary>
/// The price of a usage-priced plugin was set (published, or changed) (issue 20). Usage keeps the latest per plugin and
/// prices the plugin's usage with it when it invoices a period; model prices apply only to usage outside plugins.
/// Prices are minor units of <paramref name="Currency"/> per 1,000 units, as decimal strings (Stripe's
/// <c>unit_amount_decimal</c>).
/// </summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When the price was set, UTC; a consumer keeps the newest.</param>
/// <param name="PluginId">The plugin (<c>plg_…</c>).</param>
/// <param name="Unit">Usage unit (<c>tokens</c>).</param>
/// <param name="Currency">ISO 4217, lowercase.</param>
/// <param name="UnitAmountDecimal">Price per 1,000 units (input and output tokens alike).</param>
/// <param name="InputUnitAmountDecimal">Price per 1,000 input tokens, when the plugin prices them apart (then <paramref name="OutputUnitAmountDecimal"/> is set too).</param>
/// <param name="OutputUnitAmountDecimal">Price per 1,000 output tokens, when the plugin prices them apart.</param>
public sealed record PluginUsagePriced(Guid EventId, DateTimeOffset OccurredAt, string PluginId, string Unit, string Currency, string UnitAmountDecimal, string? InputUnitAmountDecimal, string? OutputUnitAmountDecimal)
    : IIntegrationEvent;

/// <summary>
/// A developer's payout for a period could not be sent: Stripe refused the Connect transfer (issue 18's
/// <c>marketplace.payout.failed</c>). Raised once per failure streak (the first refusal after the payout was created or
/// last succeeded a step); the payout stays pending and the job tries again, and <see cref="PayoutSent"/> follows on success.
/// </summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When the refusal was recorded, UTC.</param>
/// <param name="PayoutId">Payout id (<c>po_…</c>, ours).</param>
/// <param name="DeveloperId">The developer.</param>
/// <param name="Period">Billing period <c>YYYY-MM</c>.</param>
/// <param name="Amount">The payout's amount, minor units.</param>
/// <param name="Currency">ISO 4217, lowercase.</param>
/// <param name="Error">Stripe's error (type, HTTP status, message), at most 2,000 characters.</param>
public sealed record PayoutFailed(Guid EventId, DateTimeOffset OccurredAt, string PayoutId, string DeveloperId, string Period, long Amount, string Currency, string Error)
    : IIntegrationEvent;
