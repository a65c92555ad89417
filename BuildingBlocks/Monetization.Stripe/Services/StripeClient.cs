using Monetization.Stripe.Internal;

namespace Monetization.Stripe.Services;

/// <summary>The <see cref="IStripeClient"/> implementation: one resource group per property, all sharing one transport.</summary>
internal sealed class StripeClient : IStripeClient
{
    public StripeClient(StripeHttpTransport transport)
    {
        Customers = new CustomersService(transport);
        CheckoutSessions = new CheckoutSessionsService(transport);
        BillingPortalSessions = new BillingPortalSessionsService(transport);
        Prices = new PricesService(transport);
        Products = new ProductsService(transport);
        Subscriptions = new SubscriptionsService(transport);
        SubscriptionItems = new SubscriptionItemsService(transport);
        Invoices = new InvoicesService(transport);
        InvoiceItems = new InvoiceItemsService(transport);
        Refunds = new RefundsService(transport);
        Accounts = new AccountsService(transport);
        AccountLinks = new AccountLinksService(transport);
        Transfers = new TransfersService(transport);
        Events = new EventsService(transport);
        MeterEvents = new MeterEventsService(transport);
    }

    public IStripeCustomers Customers { get; }

    public IStripeCheckoutSessions CheckoutSessions { get; }

    public IStripeBillingPortalSessions BillingPortalSessions { get; }

    public IStripePrices Prices { get; }

    public IStripeProducts Products { get; }

    public IStripeSubscriptions Subscriptions { get; }

    public IStripeSubscriptionItems SubscriptionItems { get; }

    public IStripeInvoices Invoices { get; }

    public IStripeInvoiceItems InvoiceItems { get; }

    public IStripeRefunds Refunds { get; }

    public IStripeAccounts Accounts { get; }

    public IStripeAccountLinks AccountLinks { get; }

    public IStripeTransfers Transfers { get; }

    public IStripeEvents Events { get; }

    public IStripeMeterEvents MeterEvents { get; }
}

internal sealed class CustomersService(StripeHttpTransport transport) : StripeServiceBase(transport), IStripeCustomers
{
    public Task<Customer> CreateAsync(CustomerCreateRequest request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Post<Customer>("/v1/customers", W(request.Write), options, cancellationToken);

    public Task<Customer> GetAsync(string id, IReadOnlyList<string>? expand, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Get<Customer>($"/v1/customers/{E(id)}", X(expand), options, cancellationToken);

    public Task<Customer> UpdateAsync(string id, CustomerUpdateRequest request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Post<Customer>($"/v1/customers/{E(id)}", W(request.Write), options, cancellationToken);
}

internal sealed class CheckoutSessionsService(StripeHttpTransport transport) : StripeServiceBase(transport), IStripeCheckoutSessions
{
    public Task<CheckoutSession> CreateAsync(CheckoutSessionCreateRequest request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Post<CheckoutSession>("/v1/checkout/sessions", W(request.Write), options, cancellationToken);

    public Task<CheckoutSession> GetAsync(string id, IReadOnlyList<string>? expand, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Get<CheckoutSession>($"/v1/checkout/sessions/{E(id)}", X(expand), options, cancellationToken);
}

internal sealed class BillingPortalSessionsService(StripeHttpTransport transport) : StripeServiceBase(transport), IStripeBillingPortalSessions
{
    public Task<BillingPortalSession> CreateAsync(BillingPortalSessionCreateRequest request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Post<BillingPortalSession>("/v1/billing_portal/sessions", W(request.Write), options, cancellationToken);
}

internal sealed class PricesService(StripeHttpTransport transport) : StripeServiceBase(transport), IStripePrices
{
    public Task<Price> CreateAsync(PriceCreateRequest request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Post<Price>("/v1/prices", W(request.Write), options, cancellationToken);

    public Task<StripeList<Price>> ListAsync(PriceListRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Get<StripeList<Price>>("/v1/prices", W((request ?? new()).Write), options, cancellationToken);

    public IAsyncEnumerable<Price> ListAutoPagingAsync(PriceListRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Page(request ?? new(), (r, ct) => ListAsync(r, options, ct), cancellationToken);
}

internal sealed class ProductsService(StripeHttpTransport transport) : StripeServiceBase(transport), IStripeProducts
{
    public Task<Product> CreateAsync(ProductCreateRequest request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Post<Product>("/v1/products", W(request.Write), options, cancellationToken);

    public Task<StripeList<Product>> ListAsync(ProductListRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Get<StripeList<Product>>("/v1/products", W((request ?? new()).Write), options, cancellationToken);

    public IAsyncEnumerable<Product> ListAutoPagingAsync(ProductListRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Page(request ?? new(), (r, ct) => ListAsync(r, options, ct), cancellationToken);
}

internal sealed class SubscriptionsService(StripeHttpTransport transport) : StripeServiceBase(transport), IStripeSubscriptions
{
    public Task<Subscription> GetAsync(string id, IReadOnlyList<string>? expand, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Get<Subscription>($"/v1/subscriptions/{E(id)}", X(expand), options, cancellationToken);

    public Task<StripeList<Subscription>> ListAsync(SubscriptionListRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Get<StripeList<Subscription>>("/v1/subscriptions", W((request ?? new()).Write), options, cancellationToken);

    public IAsyncEnumerable<Subscription> ListAutoPagingAsync(SubscriptionListRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Page(request ?? new(), (r, ct) => ListAsync(r, options, ct), cancellationToken);

    public Task<Subscription> UpdateAsync(string id, SubscriptionUpdateRequest request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Post<Subscription>($"/v1/subscriptions/{E(id)}", W(request.Write), options, cancellationToken);

    public Task<Subscription> CancelAsync(string id, SubscriptionCancelRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Delete<Subscription>($"/v1/subscriptions/{E(id)}", W((request ?? new()).Write), options, cancellationToken);
}

internal sealed class SubscriptionItemsService(StripeHttpTransport transport) : StripeServiceBase(transport), IStripeSubscriptionItems
{
    public Task<SubscriptionItem> CreateAsync(SubscriptionItemCreateRequest request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Post<SubscriptionItem>("/v1/subscription_items", W(request.Write), options, cancellationToken);

    public Task<DeletedObject> DeleteAsync(string id, SubscriptionItemDeleteRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Delete<DeletedObject>($"/v1/subscription_items/{E(id)}", W((request ?? new()).Write), options, cancellationToken);
}

internal sealed class InvoicesService(StripeHttpTransport transport) : StripeServiceBase(transport), IStripeInvoices
{
    public Task<Invoice> CreateAsync(InvoiceCreateRequest request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Post<Invoice>("/v1/invoices", W(request.Write), options, cancellationToken);

    public Task<Invoice> FinalizeAsync(string id, InvoiceFinalizeRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Post<Invoice>($"/v1/invoices/{E(id)}/finalize", W((request ?? new()).Write), options, cancellationToken);

    public Task<Invoice> PayAsync(string id, InvoicePayRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Post<Invoice>($"/v1/invoices/{E(id)}/pay", W((request ?? new()).Write), options, cancellationToken);

    public Task<Invoice> GetAsync(string id, IReadOnlyList<string>? expand, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Get<Invoice>($"/v1/invoices/{E(id)}", X(expand), options, cancellationToken);
}

internal sealed class InvoiceItemsService(StripeHttpTransport transport) : StripeServiceBase(transport), IStripeInvoiceItems
{
    public Task<InvoiceItem> CreateAsync(InvoiceItemCreateRequest request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Post<InvoiceItem>("/v1/invoiceitems", W(request.Write), options, cancellationToken);
}

internal sealed class RefundsService(StripeHttpTransport transport) : StripeServiceBase(transport), IStripeRefunds
{
    public Task<Refund> CreateAsync(RefundCreateRequest request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Post<Refund>("/v1/refunds", W(request.Write), options, cancellationToken);
}

internal sealed class AccountsService(StripeHttpTransport transport) : StripeServiceBase(transport), IStripeAccounts
{
    public Task<Account> CreateAsync(AccountCreateRequest request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Post<Account>("/v1/accounts", W(request.Write), options, cancellationToken);

    public Task<Account> GetAsync(string id, IReadOnlyList<string>? expand, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Get<Account>($"/v1/accounts/{E(id)}", X(expand), options, cancellationToken);
}

internal sealed class AccountLinksService(StripeHttpTransport transport) : StripeServiceBase(transport), IStripeAccountLinks
{
    public Task<AccountLink> CreateAsync(AccountLinkCreateRequest request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Post<AccountLink>("/v1/account_links", W(request.Write), options, cancellationToken);
}

internal sealed class TransfersService(StripeHttpTransport transport) : StripeServiceBase(transport), IStripeTransfers
{
    public Task<Transfer> CreateAsync(TransferCreateRequest request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Post<Transfer>("/v1/transfers", W(request.Write), options, cancellationToken);

    public Task<TransferReversal> CreateReversalAsync(string transferId, TransferReversalCreateRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Post<TransferReversal>($"/v1/transfers/{E(transferId)}/reversals", W((request ?? new()).Write), options, cancellationToken);
}

internal sealed class EventsService(StripeHttpTransport transport) : StripeServiceBase(transport), IStripeEvents
{
    public Task<StripeEvent> GetAsync(string id, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Get<StripeEvent>($"/v1/events/{E(id)}", null, options, cancellationToken);

    public Task<StripeList<StripeEvent>> ListAsync(EventListRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Get<StripeList<StripeEvent>>("/v1/events", W((request ?? new()).Write), options, cancellationToken);

    public IAsyncEnumerable<StripeEvent> ListAutoPagingAsync(EventListRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Page(request ?? new(), (r, ct) => ListAsync(r, options, ct), cancellationToken);
}

internal sealed class MeterEventsService(StripeHttpTransport transport) : StripeServiceBase(transport), IStripeMeterEvents
{
    public Task<BillingMeterEvent> CreateAsync(MeterEventCreateRequest request, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Post<BillingMeterEvent>("/v1/billing/meter_events", W(request.Write), options, cancellationToken);
}
