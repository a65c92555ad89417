namespace Monetization.Stripe;

/// <summary>A connected account (<c>acct_…</c>). Delivered by <c>account.updated</c> (with the top-level event <c>account</c> set).</summary>
public sealed class Account : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Always <c>account</c>.</summary>
    public string Object { get; init; } = "account";

    /// <summary>Known values: <c>express</c>, <c>standard</c>, <c>custom</c>, <c>none</c>.</summary>
    public string? Type { get; init; }

    /// <summary>Email of the account holder.</summary>
    public string? Email { get; init; }

    /// <summary>Two-letter country code.</summary>
    public string? Country { get; init; }

    /// <summary>Default payout currency (lower-case ISO 4217).</summary>
    public string? DefaultCurrency { get; init; }

    /// <summary>Known values: <c>individual</c>, <c>company</c>, <c>non_profit</c>, <c>government_entity</c>.</summary>
    public string? BusinessType { get; init; }

    /// <summary>Whether the account can create charges.</summary>
    public bool ChargesEnabled { get; init; }

    /// <summary>Whether Stripe can pay out to the account.</summary>
    public bool PayoutsEnabled { get; init; }

    /// <summary>Whether onboarding details were submitted.</summary>
    public bool DetailsSubmitted { get; init; }

    /// <summary>Capability name (<c>card_payments</c>, <c>transfers</c>, …) to status (<c>active</c>, <c>inactive</c>, <c>pending</c>).</summary>
    public IReadOnlyDictionary<string, string> Capabilities { get; init; } = new Dictionary<string, string>();

    /// <summary>Outstanding requirements.</summary>
    public AccountRequirements? Requirements { get; init; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Your key/value pairs.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>An account's <c>requirements</c>.</summary>
public sealed class AccountRequirements
{
    /// <summary>Fields needed now to keep the account enabled.</summary>
    public IReadOnlyList<string> CurrentlyDue { get; init; } = [];

    /// <summary>Fields needed eventually.</summary>
    public IReadOnlyList<string> EventuallyDue { get; init; } = [];

    /// <summary>Fields overdue; the account is disabled until provided.</summary>
    public IReadOnlyList<string> PastDue { get; init; } = [];

    /// <summary>Fields being verified.</summary>
    public IReadOnlyList<string> PendingVerification { get; init; } = [];

    /// <summary>Deadline for <see cref="CurrentlyDue"/> (UTC).</summary>
    public DateTimeOffset? CurrentDeadline { get; init; }

    /// <summary>Why the account is disabled, e.g. <c>requirements.past_due</c>.</summary>
    public string? DisabledReason { get; init; }
}

/// <summary>An onboarding or update link for a connected account (<c>account_link</c>); single use.</summary>
public sealed class AccountLink
{
    /// <summary>Always <c>account_link</c>.</summary>
    public string Object { get; init; } = "account_link";

    /// <summary>The link.</summary>
    public string Url { get; init; } = "";

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Expiry (UTC).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>A Transfer (<c>tr_…</c>) of funds from the platform to a connected account.</summary>
public sealed class Transfer : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Always <c>transfer</c>.</summary>
    public string Object { get; init; } = "transfer";

    /// <summary>Amount in minor units of <see cref="Currency"/>.</summary>
    public long Amount { get; init; }

    /// <summary>Amount reversed so far, in minor units.</summary>
    public long AmountReversed { get; init; }

    /// <summary>Lower-case ISO 4217 currency.</summary>
    public string Currency { get; init; } = "";

    /// <summary>The connected account (<c>acct_…</c>).</summary>
    public ExpandableField<Account>? Destination { get; init; }

    /// <summary>Whether the transfer was fully reversed.</summary>
    public bool Reversed { get; init; }

    /// <summary>Reversals (first page).</summary>
    public StripeList<TransferReversal>? Reversals { get; init; }

    /// <summary>Charge whose funds were transferred.</summary>
    public string? SourceTransaction { get; init; }

    /// <summary>Transfer group.</summary>
    public string? TransferGroup { get; init; }

    /// <summary>Description.</summary>
    public string? Description { get; init; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Test or live mode.</summary>
    public bool Livemode { get; init; }

    /// <summary>Your key/value pairs.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>A transfer reversal (<c>trr_…</c>).</summary>
public sealed class TransferReversal : IStripeEntity
{
    /// <inheritdoc />
    public string Id { get; init; } = "";

    /// <summary>Always <c>transfer_reversal</c>.</summary>
    public string Object { get; init; } = "transfer_reversal";

    /// <summary>Amount reversed, in minor units of <see cref="Currency"/>.</summary>
    public long Amount { get; init; }

    /// <summary>Lower-case ISO 4217 currency.</summary>
    public string Currency { get; init; } = "";

    /// <summary>The reversed transfer (<c>tr_…</c>).</summary>
    public ExpandableField<Transfer>? Transfer { get; init; }

    /// <summary>The refund that caused it, if any.</summary>
    public string? SourceRefund { get; init; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Your key/value pairs.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
