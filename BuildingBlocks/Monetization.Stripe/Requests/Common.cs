using Monetization.Stripe.Internal;

namespace Monetization.Stripe;

/// <summary>
/// Paging parameters shared by list calls (<c>limit</c> 1–100, default 10; <c>starting_after</c>/<c>ending_before</c> = object ids
/// used as cursors). Records, so a page cursor can be changed with <c>with</c>.
/// </summary>
public abstract record StripeListRequest
{
    /// <summary>Page size, 1–100 (Stripe's default is 10).</summary>
    public int? Limit { get; init; }

    /// <summary>Cursor: return items after this id (newest-first order, so older items).</summary>
    public string? StartingAfter { get; init; }

    /// <summary>Cursor: return items before this id.</summary>
    public string? EndingBefore { get; init; }

    internal abstract void Write(FormWriter w);
}

/// <summary>A range filter on a unix timestamp (<c>created[gt|gte|lt|lte]</c>), bounds in UTC.</summary>
public sealed record StripeDateRange
{
    /// <summary>Strictly after.</summary>
    public DateTimeOffset? Gt { get; init; }

    /// <summary>At or after.</summary>
    public DateTimeOffset? Gte { get; init; }

    /// <summary>Strictly before.</summary>
    public DateTimeOffset? Lt { get; init; }

    /// <summary>At or before.</summary>
    public DateTimeOffset? Lte { get; init; }

    internal static void Write(FormWriter w, StripeDateRange r) =>
        w.Add("gt", r.Gt).Add("gte", r.Gte).Add("lt", r.Lt).Add("lte", r.Lte);
}
