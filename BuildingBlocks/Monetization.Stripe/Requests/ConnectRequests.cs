using Monetization.Stripe.Internal;

namespace Monetization.Stripe;

/// <summary>POST /v1/accounts (spec <c>PostAccounts</c>), e.g. an Express account.</summary>
public sealed class AccountCreateRequest
{
    /// <summary><c>type</c>: <c>express</c> (default here), <c>standard</c> or <c>custom</c>.</summary>
    public string? Type { get; init; } = "express";

    /// <summary><c>country</c> (two letters).</summary>
    public string? Country { get; init; }

    /// <summary><c>email</c>.</summary>
    public string? Email { get; init; }

    /// <summary>Capabilities to request, each sent as <c>capabilities[name][requested]=true</c> (e.g. <c>card_payments</c>, <c>transfers</c>).</summary>
    public IReadOnlyList<string>? RequestedCapabilities { get; init; }

    /// <summary><c>business_type</c>: <c>individual</c>, <c>company</c>, <c>non_profit</c>, <c>government_entity</c>.</summary>
    public string? BusinessType { get; init; }

    /// <summary><c>metadata</c>.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    internal void Write(FormWriter w)
    {
        w.Add("type", Type).Add("country", Country).Add("email", Email);
        if (RequestedCapabilities is not null)
        {
            var caps = w.Nested("capabilities");
            foreach (var name in RequestedCapabilities)
            {
                caps.Nested(name).Add("requested", true);
            }
        }

        w.Add("business_type", BusinessType);
        w.AddMap("metadata", Metadata);
    }
}

/// <summary>POST /v1/account_links (spec <c>PostAccountLinks</c>).</summary>
public sealed class AccountLinkCreateRequest
{
    /// <summary><c>account</c> (<c>acct_…</c>), required.</summary>
    public required string Account { get; init; }

    /// <summary><c>refresh_url</c>: where an expired/used link sends the user.</summary>
    public string? RefreshUrl { get; init; }

    /// <summary><c>return_url</c>: where the user goes after the flow.</summary>
    public string? ReturnUrl { get; init; }

    /// <summary><c>type</c>: <c>account_onboarding</c> or <c>account_update</c>.</summary>
    public string Type { get; init; } = "account_onboarding";

    internal void Write(FormWriter w) =>
        w.Add("account", Account).Add("refresh_url", RefreshUrl).Add("return_url", ReturnUrl).Add("type", Type);
}

/// <summary>POST /v1/transfers (spec <c>PostTransfers</c>).</summary>
public sealed class TransferCreateRequest
{
    /// <summary><c>amount</c> in minor units of <see cref="Currency"/>.</summary>
    public required long Amount { get; init; }

    /// <summary><c>currency</c> (lower-case ISO 4217), required.</summary>
    public required string Currency { get; init; }

    /// <summary><c>destination</c> (<c>acct_…</c>), required.</summary>
    public required string Destination { get; init; }

    /// <summary><c>source_transaction</c> (<c>ch_…</c>): ties the transfer to a charge's funds.</summary>
    public string? SourceTransaction { get; init; }

    /// <summary><c>transfer_group</c>.</summary>
    public string? TransferGroup { get; init; }

    /// <summary><c>description</c>.</summary>
    public string? Description { get; init; }

    /// <summary><c>metadata</c>.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    internal void Write(FormWriter w)
    {
        w.Add("amount", Amount).Add("currency", Currency).Add("destination", Destination).Add("source_transaction", SourceTransaction)
            .Add("transfer_group", TransferGroup).Add("description", Description);
        w.AddMap("metadata", Metadata);
    }
}

/// <summary>POST /v1/transfers/{id}/reversals (spec <c>PostTransfersIdReversals</c>).</summary>
public sealed class TransferReversalCreateRequest
{
    /// <summary><c>amount</c> in minor units; null = reverse the rest.</summary>
    public long? Amount { get; init; }

    /// <summary><c>description</c>.</summary>
    public string? Description { get; init; }

    /// <summary><c>metadata</c>.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary><c>refund_application_fee</c>.</summary>
    public bool? RefundApplicationFee { get; init; }

    internal void Write(FormWriter w)
    {
        w.Add("amount", Amount).Add("description", Description);
        w.AddMap("metadata", Metadata);
        w.Add("refund_application_fee", RefundApplicationFee);
    }
}
