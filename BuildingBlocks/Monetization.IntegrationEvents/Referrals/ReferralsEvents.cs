namespace Monetization.IntegrationEvents.Referrals;

/// <summary>
/// Days of paid access were granted to a user (a referral reward). Subscriptions extends the user's
/// <c>credit_until</c> by <see cref="Days"/>, anchored at max(now, current credit_until), and for a paying user
/// defers the next charge by the same number of days.
/// </summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When the grant was made, UTC.</param>
/// <param name="GrantId">The grant's id in the issuer's ledger (<c>cgr_…</c>); reversals refer to it.</param>
/// <param name="UserId">Who receives the access.</param>
/// <param name="Days">Whole days granted, above zero.</param>
/// <param name="Reason"><c>referral_buyer</c>, <c>referral_referrer</c>, or <c>manual_grant</c> (an admin's grant, issue 20).</param>
/// <param name="SourceId">What earned it (the referral id; <c>admin</c> for a manual grant).</param>
/// <param name="StartsAt">Where the granted days start in the issuer's ledger: max(<paramref name="OccurredAt"/>, the user's credit_until before), UTC. Optional (added in v2).</param>
/// <param name="CreditUntil">The user's credit_until in the issuer's ledger right after this grant, UTC, for reconciliation. Optional (added in v2).</param>
public sealed record AccessCreditGranted(
    Guid EventId,
    DateTimeOffset OccurredAt,
    string GrantId,
    string UserId,
    int Days,
    string Reason,
    string SourceId,
    DateTimeOffset? StartsAt = null,
    DateTimeOffset? CreditUntil = null)
    : IIntegrationEvent;

/// <summary>An earlier <see cref="AccessCreditGranted"/> was reversed (clawback): access shrinks back by <see cref="Days"/>.</summary>
/// <param name="EventId">Unique id of this occurrence.</param>
/// <param name="OccurredAt">When the reversal was made, UTC.</param>
/// <param name="GrantId">The reversed grant's id.</param>
/// <param name="UserId">Whose access shrinks.</param>
/// <param name="Days">Whole days taken back, above zero.</param>
/// <param name="Reason">Why (e.g. <c>refund_clawback</c>).</param>
/// <param name="ReversalId">The reversal's own id in the issuer's ledger (<c>crv_…</c>). Optional (added in v2).</param>
/// <param name="SourceId">What the reversed grant was earned by (the referral id). Optional (added in v2).</param>
/// <param name="CreditUntil">The user's credit_until in the issuer's ledger right after this reversal, UTC, for reconciliation (never before <paramref name="OccurredAt"/>). Optional (added in v2).</param>
public sealed record AccessCreditReversed(
    Guid EventId,
    DateTimeOffset OccurredAt,
    string GrantId,
    string UserId,
    int Days,
    string Reason,
    string? ReversalId = null,
    string? SourceId = null,
    DateTimeOffset? CreditUntil = null)
    : IIntegrationEvent;
