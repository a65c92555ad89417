namespace Monetization.Referrals.Domain;

/// <summary>
/// A full refund of a charge of a user with a pending referral, seen before that user's FirstPaidTransition (delivery
/// may be out of order). When the conversion arrives and its first payment is this charge (or invoice), it converts
/// without reward. Deleted on erasure of the user.
/// </summary>
internal sealed class EarlyRefund
{
    /// <summary>Stripe charge id (<c>ch_…</c>).</summary>
    public string ChargeId { get; set; } = "";

    /// <summary>Stripe invoice id the charge paid, when known.</summary>
    public string? InvoiceId { get; set; }

    /// <summary>The refunded user.</summary>
    public string UserId { get; set; } = "";

    /// <summary>When the refund happened, UTC.</summary>
    public DateTimeOffset RefundedAt { get; set; }
}
