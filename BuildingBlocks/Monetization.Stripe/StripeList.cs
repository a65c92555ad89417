namespace Monetization.Stripe;

/// <summary>
/// A page of a Stripe list (<c>{"object":"list","data":[…],"has_more":bool,"url":"/v1/…"}</c>). Lists are ordered newest
/// first; fetch the next page with <c>starting_after</c> = the last item's id, or use the service's <c>ListAutoPagingAsync</c>.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class StripeList<T>
{
    /// <summary>Always <c>list</c>.</summary>
    public string Object { get; init; } = "list";

    /// <summary>The items of this page.</summary>
    public IReadOnlyList<T> Data { get; init; } = [];

    /// <summary>True when more items follow this page.</summary>
    public bool HasMore { get; init; }

    /// <summary>The list's path, e.g. <c>/v1/events</c>.</summary>
    public string? Url { get; init; }
}
