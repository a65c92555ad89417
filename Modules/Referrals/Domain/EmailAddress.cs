namespace Monetization.Referrals.Domain;

/// <summary>E-mail comparison for the self-referral rule.</summary>
internal static class EmailAddress
{
    /// <summary>
    /// Trimmed, lower-cased, with a <c>+tag</c> of the local part removed (<c>Ann+x@Mail.com</c> → <c>ann@mail.com</c>), so
    /// sub-addresses of one mailbox compare equal. Null for a blank or address-less value.
    /// </summary>
    public static string? Normalize(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }

        var text = email.Trim().ToLowerInvariant();
        var at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1)
        {
            return null;
        }

        var local = text[..at];
        var plus = local.IndexOf('+', StringComparison.Ordinal);
        if (plus > 0)
        {
            local = local[..plus];
        }

        return local + text[at..];
    }
}
