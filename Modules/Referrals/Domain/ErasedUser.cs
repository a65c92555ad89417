namespace Monetization.Referrals.Domain;

/// <summary>
/// Tombstone of an erased user: the SHA-256 of their user id (not the id itself) and when they were erased, so that
/// events about them that happened before the erasure and arrive late cannot bring their data back.
/// </summary>
internal sealed class ErasedUser
{
    /// <summary>Lowercase hex SHA-256 of the UTF-8 user id.</summary>
    public string UserIdHash { get; set; } = "";

    /// <summary>The pseudonym that replaced the user id in referrals and ledger entries at the latest erasure (<c>erased_…</c>).</summary>
    public string Pseudonym { get; set; } = "";

    /// <summary>When the (latest) erasure happened, UTC.</summary>
    public DateTimeOffset ErasedAt { get; set; }

    /// <summary>The tombstone key of a user id.</summary>
    public static string HashOf(string userId) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(userId)));
}
