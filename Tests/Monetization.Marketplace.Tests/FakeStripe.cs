using System.Collections.Concurrent;
using Monetization.Stripe;

namespace Monetization.Marketplace.Tests;

/// <summary>
/// An in-memory Stripe for the calls Marketplace makes (products, prices, checkout sessions, subscription items,
/// accounts, account links, transfers, reversals), honouring idempotency keys as Stripe does (same key, same result),
/// with connected-account balances (a reversal needs the balance) and a fault switch.
/// </summary>
internal sealed class FakeStripe : IStripeClient, IStripeProducts, IStripePrices, IStripeCheckoutSessions, IStripeSubscriptionItems,
    IStripeAccounts, IStripeAccountLinks, IStripeTransfers
{
    private readonly ConcurrentDictionary<string, object> _byKey = new(StringComparer.Ordinal);
    private int _sequence;

    /// <summary>Makes every call fail with a 500 (after the client's retries) while set.</summary>
    public volatile bool Failing;

    /// <summary>Delay inside each transfer call, to widen race windows.</summary>
    public TimeSpan TransferDelay { get; set; }

    public ConcurrentDictionary<string, long> Balances { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<TransferCreateRequest> Transfers { get; } = new();

    public ConcurrentQueue<(string TransferId, long Amount)> Reversals { get; } = new();

    public ConcurrentQueue<SubscriptionItemCreateRequest> ItemsCreated { get; } = new();

    public ConcurrentQueue<string> ItemsDeleted { get; } = new();

    public ConcurrentQueue<CheckoutSessionCreateRequest> Sessions { get; } = new();

    public ConcurrentQueue<PriceCreateRequest> Prices { get; } = new();

    public ConcurrentQueue<AccountCreateRequest> Accounts { get; } = new();

    public int AccountLinksCreated;

    private readonly ConcurrentDictionary<string, (string Destination, long Amount, long Reversed)> _transfers = new(StringComparer.Ordinal);

    IStripeCustomers IStripeClient.Customers => throw new InvalidOperationException("Marketplace does not call customers.");
    IStripeCheckoutSessions IStripeClient.CheckoutSessions => this;
    IStripeBillingPortalSessions IStripeClient.BillingPortalSessions => throw new InvalidOperationException("unused");
    IStripePrices IStripeClient.Prices => this;
    IStripeProducts IStripeClient.Products => this;
    IStripeSubscriptions IStripeClient.Subscriptions => throw new InvalidOperationException("unused");
    IStripeSubscriptionItems IStripeClient.SubscriptionItems => this;
    IStripeInvoices IStripeClient.Invoices => throw new InvalidOperationException("unused");
    IStripeInvoiceItems IStripeClient.InvoiceItems => throw new InvalidOperationException("unused");
    IStripeRefunds IStripeClient.Refunds => throw new InvalidOperationException("unused");
    IStripeAccounts IStripeClient.Accounts => this;
    IStripeAccountLinks IStripeClient.AccountLinks => this;
    IStripeTransfers IStripeClient.Transfers => this;
    IStripeEvents IStripeClient.Events => throw new InvalidOperationException("unused");
    IStripeMeterEvents IStripeClient.MeterEvents => throw new InvalidOperationException("unused");

    private string NextId(string prefix) => $"{prefix}_fake{Interlocked.Increment(ref _sequence):D6}";

    private void ThrowIfFailing()
    {
        if (Failing)
        {
            throw new StripeApiException(new StripeError { Type = "api_error", Message = "Stripe is down (test fault)." }, 500);
        }
    }

    private T Once<T>(StripeRequestOptions? options, Func<T> create)
        where T : class
    {
        ThrowIfFailing();
        if (options?.IdempotencyKey is { } key)
        {
            return (T)_byKey.GetOrAdd(typeof(T).Name + ":" + key, _ => create());
        }

        return create();
    }

    public Task<Product> CreateAsync(ProductCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Once(options, () => new Product { Id = NextId("prod"), Name = request.Name, Active = true }));

    Task<StripeList<Product>> IStripeProducts.ListAsync(ProductListRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("unused");

    IAsyncEnumerable<Product> IStripeProducts.ListAutoPagingAsync(ProductListRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("unused");

    public Task<Price> CreateAsync(PriceCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Once(options, () =>
        {
            Prices.Enqueue(request);
            return new Price { Id = NextId("price"), Currency = request.Currency, UnitAmount = request.UnitAmount, Active = true };
        }));

    Task<StripeList<Price>> IStripePrices.ListAsync(PriceListRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("unused");

    IAsyncEnumerable<Price> IStripePrices.ListAutoPagingAsync(PriceListRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("unused");

    public Task<CheckoutSession> CreateAsync(CheckoutSessionCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Once(options, () =>
        {
            Sessions.Enqueue(request);
            var id = NextId("cs_test");
            return new CheckoutSession { Id = id, Mode = request.Mode, Url = $"https://checkout.stripe.test/c/pay/{id}", Metadata = request.Metadata ?? new Dictionary<string, string>() };
        }));

    Task<CheckoutSession> IStripeCheckoutSessions.GetAsync(string id, IReadOnlyList<string>? expand, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("unused");

    public Task<SubscriptionItem> CreateAsync(SubscriptionItemCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Once(options, () =>
        {
            ItemsCreated.Enqueue(request);
            return new SubscriptionItem { Id = NextId("si"), Subscription = request.Subscription, Quantity = request.Quantity, Metadata = request.Metadata ?? new Dictionary<string, string>() };
        }));

    public Task<DeletedObject> DeleteAsync(string id, SubscriptionItemDeleteRequest? request = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfFailing();
        ItemsDeleted.Enqueue(id);
        return Task.FromResult(new DeletedObject { Id = id, Object = "subscription_item", Deleted = true });
    }

    public Task<Account> CreateAsync(AccountCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Once(options, () =>
        {
            Accounts.Enqueue(request);
            return new Account { Id = NextId("acct"), Type = request.Type, Email = request.Email };
        }));

    Task<Account> IStripeAccounts.GetAsync(string id, IReadOnlyList<string>? expand, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("unused");

    public Task<AccountLink> CreateAsync(AccountLinkCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfFailing();
        var n = Interlocked.Increment(ref AccountLinksCreated);
        return Task.FromResult(new AccountLink { Url = $"https://connect.stripe.test/setup/e/{request.Account}/{n}", ExpiresAt = DateTimeOffset.UnixEpoch.AddYears(57) });
    }

    public async Task<Transfer> CreateAsync(TransferCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (TransferDelay > TimeSpan.Zero)
        {
            await Task.Delay(TransferDelay, cancellationToken);
        }

        return Once(options, () =>
        {
            Transfers.Enqueue(request);
            var id = NextId("tr");
            _transfers[id] = (request.Destination, request.Amount, 0);
            Balances.AddOrUpdate(request.Destination, request.Amount, (_, b) => b + request.Amount);
            return new Transfer { Id = id, Amount = request.Amount, Currency = request.Currency, Metadata = request.Metadata ?? new Dictionary<string, string>() };
        });
    }

    public Task<TransferReversal> CreateReversalAsync(string transferId, TransferReversalCreateRequest? request = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Once(options, () =>
        {
            var transfer = _transfers[transferId];
            var amount = request?.Amount ?? transfer.Amount - transfer.Reversed;
            var balance = Balances.GetValueOrDefault(transfer.Destination);
            if (balance < amount)
            {
                throw new StripeInvalidRequestException(
                    new StripeError { Type = "invalid_request_error", Code = "balance_insufficient", Message = "Insufficient funds in the connected account." }, 400);
            }

            Balances[transfer.Destination] = balance - amount;
            _transfers[transferId] = transfer with { Reversed = transfer.Reversed + amount };
            Reversals.Enqueue((transferId, amount));
            return new TransferReversal { Id = NextId("trr"), Amount = amount };
        }));
}
