namespace Monetization.Referrals.Domain;

/// <summary>
/// One line of a user's access-credit ledger: a grant (positive <see cref="Days"/>) or the reversal of a grant
/// (negative). A user's <c>credit_until</c> is derived from their lines, in order (<see cref="CreditLedger"/>).
/// </summary>
internal sealed class CreditEntry
{
    /// <summary>Insertion order (ledger order).</summary>
    public long Sequence { get; set; }

    /// <summary>Our id: <c>cgr_…</c> for a grant (the GrantId of AccessCreditGranted), <c>crv_…</c> for a reversal.</summary>
    public string Id { get; set; } = "";

    /// <summary>Whose access (an <c>erased_…</c> pseudonym once erased).</summary>
    public string UserId { get; set; } = "";

    /// <summary><see cref="CreditEntryKinds.Grant"/> or <see cref="CreditEntryKinds.Reversal"/>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>Whole days, signed: above zero for a grant, below zero for a reversal.</summary>
    public int Days { get; set; }

    /// <summary><c>referral_buyer</c>, <c>referral_referrer</c> (grants) or <c>refund_clawback</c> (reversals).</summary>
    public string Reason { get; set; } = "";

    /// <summary>The referral that earned (or lost) it (<c>ref_…</c>).</summary>
    public string ReferralId { get; set; } = "";

    /// <summary>For a reversal, the grant it reverses (<c>cgr_…</c>).</summary>
    public string? ReversesEntryId { get; set; }

    /// <summary>For a manual grant, the admin's reason as given (1..500 characters); null otherwise.</summary>
    public string? Note { get; set; }

    /// <summary>Makes each entry happen once: <c>{referral}:{reason}</c> for a grant, <c>{grant}:reversal</c> for a reversal (unique).</summary>
    public string IdempotencyKey { get; set; } = "";

    /// <summary>When the entry was written, UTC.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>For a grant, where its days start: max(<see cref="CreatedAt"/>, the credit_until before it), UTC.</summary>
    public DateTimeOffset StartsAt { get; set; }

    /// <summary>The user's credit_until right after this entry, UTC (a snapshot for explanation; recomputed by <see cref="CreditLedger"/>).</summary>
    public DateTimeOffset CreditUntilAfter { get; set; }
}

/// <summary>Values of <see cref="CreditEntry.Kind"/>.</summary>
internal static class CreditEntryKinds
{
    /// <summary>Days of access granted.</summary>
    public const string Grant = "grant";

    /// <summary>Days of an earlier grant taken back.</summary>
    public const string Reversal = "reversal";
}

/// <summary>Values of <see cref="CreditEntry.Reason"/> (and of the events' <c>Reason</c>).</summary>
internal static class CreditReasons
{
    /// <summary>The referred user's reward for paying.</summary>
    public const string ReferralBuyer = "referral_buyer";

    /// <summary>The referrer's reward for a referred user's first payment.</summary>
    public const string ReferralReferrer = "referral_referrer";

    /// <summary>A grant taken back because the first payment was refunded in the hold window.</summary>
    public const string RefundClawback = "refund_clawback";

    /// <summary>Days granted by an admin (<c>POST /v1/referrals/{user_id}/credits/grants</c>, issue 20); the admin's reason is the entry's note.</summary>
    public const string ManualGrant = "manual_grant";
}
