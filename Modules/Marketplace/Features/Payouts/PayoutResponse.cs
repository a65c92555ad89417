using Mapster;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Payouts;

/// <summary>A payout as the API shows it.</summary>
/// <param name="Id">Payout id (<c>po_…</c>).</param>
/// <param name="DeveloperId">Developer paid.</param>
/// <param name="Period">Period <c>YYYY-MM</c> of the run that created it.</param>
/// <param name="Currency">ISO 4217, lowercase.</param>
/// <param name="Amount">Transfer amount, minor units.</param>
/// <param name="EventCount">Revenue events it settles.</param>
/// <param name="Status"><c>pending</c> (transfer not confirmed; retried by the next run) or <c>paid</c>.</param>
/// <param name="StripeAccountId">Destination connected account.</param>
/// <param name="TransferId">Stripe transfer (<c>tr_…</c>) once paid.</param>
/// <param name="Attempts">Transfer attempts.</param>
/// <param name="LastError">Last Stripe error, if any.</param>
/// <param name="CreatedAt">UTC.</param>
/// <param name="PaidAt">UTC.</param>
internal sealed record PayoutResponse(
    string Id,
    string DeveloperId,
    string Period,
    string Currency,
    long Amount,
    int EventCount,
    string Status,
    string StripeAccountId,
    string? TransferId,
    int Attempts,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PaidAt)
{
    /// <summary>The answer for a payout (Mapster, <see cref="MarketplaceMapping"/>).</summary>
    public static PayoutResponse From(Payout payout) => payout.Adapt<PayoutResponse>(MarketplaceMapping.Config);
}
