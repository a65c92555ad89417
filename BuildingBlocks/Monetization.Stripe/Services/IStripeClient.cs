namespace Monetization.Stripe;

/// <summary>
/// Typed client of Stripe's v1 REST API, grouped by resource: <c>stripe.Customers.CreateAsync(…)</c>. Every call takes an
/// optional <see cref="StripeRequestOptions"/> and a <see cref="CancellationToken"/>, sends the pinned <c>Stripe-Version</c>,
/// an <c>Idempotency-Key</c> on POST (reused across retries), retries transient failures and throws <see cref="StripeException"/>
/// subclasses. Amounts are integers in minor units of the given currency; times are UTC. Register with
/// <c>AddStripeClient</c>; see docs/stripe-client.md.
/// </summary>
public interface IStripeClient
{
    /// <summary>Customers (<c>/v1/customers</c>).</summary>
    IStripeCustomers Customers { get; }

    /// <summary>Checkout Sessions (<c>/v1/checkout/sessions</c>).</summary>
    IStripeCheckoutSessions CheckoutSessions { get; }

    /// <summary>Customer portal sessions (<c>/v1/billing_portal/sessions</c>).</summary>
    IStripeBillingPortalSessions BillingPortalSessions { get; }

    /// <summary>Prices (<c>/v1/prices</c>).</summary>
    IStripePrices Prices { get; }

    /// <summary>Products (<c>/v1/products</c>).</summary>
    IStripeProducts Products { get; }

    /// <summary>Subscriptions (<c>/v1/subscriptions</c>).</summary>
    IStripeSubscriptions Subscriptions { get; }

    /// <summary>Subscription items (<c>/v1/subscription_items</c>).</summary>
    IStripeSubscriptionItems SubscriptionItems { get; }

    /// <summary>Invoices (<c>/v1/invoices</c>).</summary>
    IStripeInvoices Invoices { get; }

    /// <summary>Invoice items (<c>/v1/invoiceitems</c>).</summary>
    IStripeInvoiceItems InvoiceItems { get; }

    /// <summary>Refunds (<c>/v1/refunds</c>).</summary>
    IStripeRefunds Refunds { get; }

    /// <summary>Connected accounts (<c>/v1/accounts</c>).</summary>
    IStripeAccounts Accounts { get; }

    /// <summary>Account links (<c>/v1/account_links</c>).</summary>
    IStripeAccountLinks AccountLinks { get; }

    /// <summary>Transfers to connected accounts (<c>/v1/transfers</c>).</summary>
    IStripeTransfers Transfers { get; }

    /// <summary>Events (<c>/v1/events</c>): the re-fetch path for missed or untrusted webhooks (last 30 days).</summary>
    IStripeEvents Events { get; }

    /// <summary>Billing meter events (<c>/v1/billing/meter_events</c>).</summary>
    IStripeMeterEvents MeterEvents { get; }
}

/// <summary>Customers (<c>/v1/customers</c>).</summary>
public interface IStripeCustomers
{
    /// <summary>Creates a customer: POST /v1/customers.</summary>
    /// <param name="request">The parameters.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<Customer> CreateAsync(CustomerCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Retrieves a customer: GET /v1/customers/{id}. A deleted customer is returned with <see cref="Customer.Deleted"/> true.</summary>
    /// <param name="id">The customer (<c>cus_…</c>) id.</param>
    /// <param name="expand">Fields to expand (<c>expand[i]</c>), e.g. <c>latest_invoice</c>; null for none.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<Customer> GetAsync(string id, IReadOnlyList<string>? expand = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Updates a customer: POST /v1/customers/{id}.</summary>
    /// <param name="id">The customer id.</param>
    /// <param name="request">The parameters.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<Customer> UpdateAsync(string id, CustomerUpdateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>Checkout Sessions (<c>/v1/checkout/sessions</c>).</summary>
public interface IStripeCheckoutSessions
{
    /// <summary>Creates a Checkout Session (subscription or payment mode): POST /v1/checkout/sessions. Redirect the customer to <see cref="CheckoutSession.Url"/>.</summary>
    /// <param name="request">The parameters.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<CheckoutSession> CreateAsync(CheckoutSessionCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Retrieves a Checkout Session: GET /v1/checkout/sessions/{id}.</summary>
    /// <param name="id">The session (<c>cs_…</c>) id.</param>
    /// <param name="expand">Fields to expand (<c>expand[i]</c>), e.g. <c>latest_invoice</c>; null for none.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<CheckoutSession> GetAsync(string id, IReadOnlyList<string>? expand = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>Customer portal sessions (<c>/v1/billing_portal/sessions</c>).</summary>
public interface IStripeBillingPortalSessions
{
    /// <summary>Creates a portal session: POST /v1/billing_portal/sessions. Redirect to <see cref="BillingPortalSession.Url"/>.</summary>
    /// <param name="request">The parameters.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<BillingPortalSession> CreateAsync(BillingPortalSessionCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>Prices (<c>/v1/prices</c>).</summary>
public interface IStripePrices
{
    /// <summary>Creates a price: POST /v1/prices.</summary>
    /// <param name="request">The parameters.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<Price> CreateAsync(PriceCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Lists prices, one page: GET /v1/prices.</summary>
    /// <param name="request">Filters and paging; null for the first page of all.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<StripeList<Price>> ListAsync(PriceListRequest? request = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Lists all prices, fetching pages as needed.</summary>
    /// <param name="request">Filters; paging starts at <see cref="StripeListRequest.StartingAfter"/>.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>Every item, newest first; pages are fetched lazily.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    IAsyncEnumerable<Price> ListAutoPagingAsync(PriceListRequest? request = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>Products (<c>/v1/products</c>).</summary>
public interface IStripeProducts
{
    /// <summary>Creates a product: POST /v1/products.</summary>
    /// <param name="request">The parameters.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<Product> CreateAsync(ProductCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Lists products, one page: GET /v1/products.</summary>
    /// <param name="request">Filters and paging; null for the first page of all.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<StripeList<Product>> ListAsync(ProductListRequest? request = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Lists all products, fetching pages as needed.</summary>
    /// <param name="request">Filters; paging starts at <see cref="StripeListRequest.StartingAfter"/>.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>Every item, newest first; pages are fetched lazily.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    IAsyncEnumerable<Product> ListAutoPagingAsync(ProductListRequest? request = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>Subscriptions (<c>/v1/subscriptions</c>).</summary>
public interface IStripeSubscriptions
{
    /// <summary>Retrieves a subscription: GET /v1/subscriptions/{id}.</summary>
    /// <param name="id">The subscription (<c>sub_…</c>) id.</param>
    /// <param name="expand">Fields to expand (<c>expand[i]</c>), e.g. <c>latest_invoice</c>; null for none.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<Subscription> GetAsync(string id, IReadOnlyList<string>? expand = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Lists subscriptions (e.g. by customer and status), one page: GET /v1/subscriptions.</summary>
    /// <param name="request">Filters and paging.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<StripeList<Subscription>> ListAsync(SubscriptionListRequest? request = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Lists all matching subscriptions, fetching pages as needed.</summary>
    /// <param name="request">Filters.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>Every item, newest first; pages are fetched lazily.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    IAsyncEnumerable<Subscription> ListAutoPagingAsync(SubscriptionListRequest? request = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Updates a subscription (cancel at period end, plan change, add-ons, trial end, metadata): POST /v1/subscriptions/{id}.</summary>
    /// <param name="id">The subscription id.</param>
    /// <param name="request">The parameters.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<Subscription> UpdateAsync(string id, SubscriptionUpdateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Cancels a subscription immediately: DELETE /v1/subscriptions/{id} (query <c>invoice_now</c>, <c>prorate</c>). Use <see cref="SubscriptionUpdateRequest.CancelAtPeriodEnd"/> to cancel at the period end instead.</summary>
    /// <param name="id">The subscription id.</param>
    /// <param name="request">Cancel options; null for none.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<Subscription> CancelAsync(string id, SubscriptionCancelRequest? request = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>Subscription items (<c>/v1/subscription_items</c>).</summary>
public interface IStripeSubscriptionItems
{
    /// <summary>Adds an item (e.g. an add-on) to a subscription: POST /v1/subscription_items.</summary>
    /// <param name="request">The parameters.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<SubscriptionItem> CreateAsync(SubscriptionItemCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Removes an item: DELETE /v1/subscription_items/{id}.</summary>
    /// <param name="id">The subscription item (<c>si_…</c>) id.</param>
    /// <param name="request">Options; null for none.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<DeletedObject> DeleteAsync(string id, SubscriptionItemDeleteRequest? request = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>Invoices (<c>/v1/invoices</c>).</summary>
public interface IStripeInvoices
{
    /// <summary>Creates a draft invoice: POST /v1/invoices.</summary>
    /// <param name="request">The parameters.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<Invoice> CreateAsync(InvoiceCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Finalizes a draft invoice: POST /v1/invoices/{id}/finalize.</summary>
    /// <param name="id">The invoice (<c>in_…</c>) id.</param>
    /// <param name="request">Options; null for none.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<Invoice> FinalizeAsync(string id, InvoiceFinalizeRequest? request = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Pays an open invoice now: POST /v1/invoices/{id}/pay. A decline raises <see cref="StripeCardException"/>.</summary>
    /// <param name="id">The invoice id.</param>
    /// <param name="request">Options; null for none.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<Invoice> PayAsync(string id, InvoicePayRequest? request = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Retrieves an invoice: GET /v1/invoices/{id}.</summary>
    /// <param name="id">The invoice id.</param>
    /// <param name="expand">Fields to expand (<c>expand[i]</c>), e.g. <c>latest_invoice</c>; null for none.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<Invoice> GetAsync(string id, IReadOnlyList<string>? expand = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>Invoice items (<c>/v1/invoiceitems</c>).</summary>
public interface IStripeInvoiceItems
{
    /// <summary>Creates an invoice item: POST /v1/invoiceitems.</summary>
    /// <param name="request">The parameters.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<InvoiceItem> CreateAsync(InvoiceItemCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>Refunds (<c>/v1/refunds</c>).</summary>
public interface IStripeRefunds
{
    /// <summary>Refunds a charge or PaymentIntent, fully or partly: POST /v1/refunds.</summary>
    /// <param name="request">The parameters.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<Refund> CreateAsync(RefundCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>Connected accounts (<c>/v1/accounts</c>).</summary>
public interface IStripeAccounts
{
    /// <summary>Creates a connected account (Express by default): POST /v1/accounts.</summary>
    /// <param name="request">The parameters.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<Account> CreateAsync(AccountCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Retrieves a connected account: GET /v1/accounts/{id}.</summary>
    /// <param name="id">The account (<c>acct_…</c>) id.</param>
    /// <param name="expand">Fields to expand (<c>expand[i]</c>), e.g. <c>latest_invoice</c>; null for none.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<Account> GetAsync(string id, IReadOnlyList<string>? expand = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>Account links (<c>/v1/account_links</c>).</summary>
public interface IStripeAccountLinks
{
    /// <summary>Creates a single-use onboarding/update link: POST /v1/account_links.</summary>
    /// <param name="request">The parameters.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<AccountLink> CreateAsync(AccountLinkCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>Transfers to connected accounts (<c>/v1/transfers</c>).</summary>
public interface IStripeTransfers
{
    /// <summary>Creates a transfer: POST /v1/transfers. Pass a natural Idempotency-Key (e.g. <c>payout:{developer}:{period}</c>).</summary>
    /// <param name="request">The parameters.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<Transfer> CreateAsync(TransferCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Reverses a transfer fully or partly: POST /v1/transfers/{id}/reversals.</summary>
    /// <param name="transferId">The transfer (<c>tr_…</c>).</param>
    /// <param name="request">Amount etc.; null = full reversal.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<TransferReversal> CreateReversalAsync(string transferId, TransferReversalCreateRequest? request = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>Events (<c>/v1/events</c>): the re-fetch path for missed or untrusted webhooks (last 30 days).</summary>
public interface IStripeEvents
{
    /// <summary>Retrieves an event: GET /v1/events/{id}.</summary>
    /// <param name="id">The event (<c>evt_…</c>) id.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<StripeEvent> GetAsync(string id, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Lists events, one page: GET /v1/events.</summary>
    /// <param name="request">Filters (type, types, created) and paging.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<StripeList<StripeEvent>> ListAsync(EventListRequest? request = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Lists all matching events, fetching pages as needed.</summary>
    /// <param name="request">Filters.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>Every item, newest first; pages are fetched lazily.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    IAsyncEnumerable<StripeEvent> ListAutoPagingAsync(EventListRequest? request = null, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>Billing meter events (<c>/v1/billing/meter_events</c>).</summary>
public interface IStripeMeterEvents
{
    /// <summary>Reports usage: POST /v1/billing/meter_events.</summary>
    /// <param name="request">The parameters.</param>
    /// <param name="options">Per-call options: Idempotency-Key, Stripe-Account.</param>
    /// <param name="cancellationToken">Cancels the call (not retried).</param>
    /// <returns>The result as Stripe returned it.</returns>
    /// <exception cref="StripeException">Stripe answered with an error (a subclass per status/type) or could not be reached (<see cref="StripeConnectionException"/>) after the retries.</exception>
    Task<BillingMeterEvent> CreateAsync(MeterEventCreateRequest request, StripeRequestOptions? options = null, CancellationToken cancellationToken = default);
}
