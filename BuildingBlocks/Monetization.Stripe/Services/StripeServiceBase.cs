using Monetization.Stripe.Internal;

namespace Monetization.Stripe.Services;

/// <summary>Helpers shared by the resource groups: path escaping, parameter writers, paging.</summary>
internal abstract class StripeServiceBase(StripeHttpTransport transport)
{
    protected static string E(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return Uri.EscapeDataString(id);
    }

    protected static FormWriter W(Action<FormWriter> write)
    {
        var w = new FormWriter();
        write(w);
        return w;
    }

    protected static FormWriter? X(IReadOnlyList<string>? expand) =>
        expand is null || expand.Count == 0 ? null : new FormWriter().AddList("expand", expand);

    protected Task<T> Get<T>(string path, FormWriter? query, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        transport.GetAsync<T>(path, query, options, cancellationToken);

    protected Task<T> Post<T>(string path, FormWriter? body, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        transport.PostAsync<T>(path, body, options, cancellationToken);

    protected Task<T> Delete<T>(string path, FormWriter? query, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        transport.DeleteAsync<T>(path, query, options, cancellationToken);

    protected static IAsyncEnumerable<T> Page<T, TRequest>(
        TRequest request,
        Func<TRequest, CancellationToken, Task<StripeList<T>>> list,
        CancellationToken cancellationToken)
        where T : IStripeEntity
        where TRequest : StripeListRequest =>
        StripeHttpTransport.AutoPageAsync<T>(
            (cursor, ct) => list(request with { StartingAfter = cursor }, ct),
            request.StartingAfter,
            cancellationToken);
}
