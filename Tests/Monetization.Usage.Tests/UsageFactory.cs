using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Stripe;
using Monetization.TestKit;

namespace Monetization.Usage.Tests;

/// <summary>The Host with a scripted Stripe (<see cref="FakeStripe"/>) and the monthly job off (tests run invoices themselves).</summary>
internal sealed class UsageFactory : MonetizationFactory
{
    public UsageFactory(bool invoiceJob = false)
    {
        WithSetting("Usage:InvoiceJob:Enabled", invoiceJob ? "true" : "false");
        WithSetting("Usage:ModelPrices:gpt-4o:Input", "2.50");
        WithSetting("Usage:ModelPrices:gpt-4o:Output", "10.00");
        WithSetting("Usage:ModelPrices:mini:Input", "0.15");
        WithSetting("Usage:ModelPrices:mini:Output", "0.60");
        WithServices(services =>
        {
            services.RemoveAll<IStripeClient>();
            services.AddSingleton<IStripeClient>(Stripe);
        });
    }

    public FakeStripe Stripe { get; } = new();

    public static object Event(string id, string user, string meter, long? quantity, DateTimeOffset timestamp, object? properties = null) =>
        new { event_id = id, user_id = user, meter, quantity, timestamp, properties };

    public static object Tokens(string id, string user, string model, long input, long output, DateTimeOffset timestamp, string? plugin = null) =>
        new { event_id = id, user_id = user, meter = "tokens", timestamp, properties = plugin is null ? (object)new { model, input_tokens = input, output_tokens = output } : new { model, input_tokens = input, output_tokens = output, plugin_id = plugin } };

    public async Task<JsonNode> IngestAsync(params object[] events)
    {
        using var response = await CreateAdminClient().PostJsonAsync("/v1/usage/events", new { events });
        return await response.ReadJsonAsync(202);
    }

    public Task SetPlanAsync(string user, string plan, long version, long? apiCalls, long? tokens, long? projects = 1, long? deploys = 1, string? customer = "cus_test") =>
        PublishAsync(new SubscriptionChanged(Guid.NewGuid(), Now, user, plan, "active", plan == "free" ? "free" : "paid", "monthly", customer, "sub_1", Now.AddDays(30),
            new PlanEntitlements(projects, deploys, apiCalls, tokens, []), version));

    public Task LinkCustomerAsync(string user, string customer = "cus_test") =>
        PublishAsync(new StripeCustomerLinked(Guid.NewGuid(), Now, user, customer, null));
}

/// <summary>
/// A scripted Stripe: checkout sessions, invoices and invoice items kept in memory, replaying the first result of an
/// idempotency key as Stripe does; failures and declines can be queued.
/// </summary>
internal sealed class FakeStripe : IStripeClient, IStripeCheckoutSessions, IStripeInvoices, IStripeInvoiceItems
{
    private readonly ConcurrentDictionary<string, object> _byKey = new(StringComparer.Ordinal);
    private int _sequence;

    public ConcurrentQueue<CheckoutSessionCreateRequest> Sessions { get; } = new();

    public ConcurrentDictionary<string, FakeInvoice> CreatedInvoices { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<InvoiceItemCreateRequest> Items { get; } = new();

    /// <summary>Operations to fail once each with a 500 (after the client's retries): "invoice", "item", "finalize", "pay", "checkout".</summary>
    public ConcurrentQueue<string> FailNext { get; } = new();

    /// <summary>Decline the next payments (card_declined).</summary>
    public int DeclinePayments { get; set; }

    public ConcurrentQueue<string> Calls { get; } = new();

    public IStripeCheckoutSessions CheckoutSessions => this;

    public IStripeInvoices Invoices => this;

    public IStripeInvoiceItems InvoiceItems => this;

    public IStripeCustomers Customers => throw new NotSupportedException();

    public IStripeBillingPortalSessions BillingPortalSessions => throw new NotSupportedException();

    public IStripePrices Prices => throw new NotSupportedException();

    public IStripeProducts Products => throw new NotSupportedException();

    public IStripeSubscriptions Subscriptions => throw new NotSupportedException();

    public IStripeSubscriptionItems SubscriptionItems => throw new NotSupportedException();

    public IStripeRefunds Refunds => throw new NotSupportedException();

    public IStripeAccounts Accounts => throw new NotSupportedException();

    public IStripeAccountLinks AccountLinks => throw new NotSupportedException();

    public IStripeTransfers Transfers => throw new NotSupportedException();

    public IStripeEvents Events => throw new NotSupportedException();

    public IStripeMeterEvents MeterEvents => throw new NotSupportedException();

    private string NextId(string prefix) => $"{prefix}_{Interlocked.Increment(ref _sequence):D6}";

    private void MaybeFail(string operation)
    {
        Calls.Enqueue(operation);
        if (FailNext.TryPeek(out var next) && next == operation && FailNext.TryDequeue(out _))
        {
            throw new StripeApiException(null, 500);
        }
    }

    private T Once<T>(StripeRequestOptions? options, Func<T> create)
        where T : class =>
        options?.IdempotencyKey is { } key ? (T)_byKey.GetOrAdd(key, _ => create()) : create();

    Task<CheckoutSession> IStripeCheckoutSessions.CreateAsync(CheckoutSessionCreateRequest request, StripeRequestOptions? options, CancellationToken cancellationToken)
    {
        MaybeFail("checkout");
        return Task.FromResult(Once(options, () =>
        {
            Sessions.Enqueue(request);
            var id = NextId("cs_test");
            return new CheckoutSession { Id = id, Mode = request.Mode, Url = $"https://checkout.stripe.test/{id}", Metadata = request.Metadata ?? new Dictionary<string, string>() };
        }));
    }

    Task<CheckoutSession> IStripeCheckoutSessions.GetAsync(string id, IReadOnlyList<string>? expand, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    Task<Invoice> IStripeInvoices.CreateAsync(InvoiceCreateRequest request, StripeRequestOptions? options, CancellationToken cancellationToken)
    {
        MaybeFail("invoice");
        return Task.FromResult(Once(options, () =>
        {
            var invoice = new FakeInvoice(NextId("in"), request);
            CreatedInvoices[invoice.Id] = invoice;
            return invoice.ToStripe();
        }));
    }

    Task<Invoice> IStripeInvoices.FinalizeAsync(string id, InvoiceFinalizeRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken)
    {
        MaybeFail("finalize");
        var invoice = CreatedInvoices[id];
        invoice.Status = "open";
        return Task.FromResult(invoice.ToStripe());
    }

    Task<Invoice> IStripeInvoices.PayAsync(string id, InvoicePayRequest? request, StripeRequestOptions? options, CancellationToken cancellationToken)
    {
        MaybeFail("pay");
        var invoice = CreatedInvoices[id];
        if (invoice.Status == "paid")
        {
            throw new StripeInvalidRequestException(null, 400);
        }

        if (DeclinePayments > 0)
        {
            DeclinePayments--;
            throw new StripeCardException(null, 402);
        }

        invoice.Status = "paid";
        invoice.Payments++;
        return Task.FromResult(invoice.ToStripe());
    }

    Task<Invoice> IStripeInvoices.GetAsync(string id, IReadOnlyList<string>? expand, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        Task.FromResult(CreatedInvoices[id].ToStripe());

    Task<InvoiceItem> IStripeInvoiceItems.CreateAsync(InvoiceItemCreateRequest request, StripeRequestOptions? options, CancellationToken cancellationToken)
    {
        MaybeFail("item");
        return Task.FromResult(Once(options, () =>
        {
            Items.Enqueue(request);
            CreatedInvoices[request.Invoice!].Items.Add(request);
            return new InvoiceItem { Id = NextId("ii"), Amount = request.Amount ?? 0, Currency = request.Currency ?? "" };
        }));
    }
}

internal sealed class FakeInvoice(string id, InvoiceCreateRequest request)
{
    public string Id { get; } = id;

    public InvoiceCreateRequest Request { get; } = request;

    public string Status { get; set; } = "draft";

    public int Payments { get; set; }

    public List<InvoiceItemCreateRequest> Items { get; } = [];

    public long Total => Items.Sum(i => i.Amount ?? 0);

    public Invoice ToStripe() => new() { Id = Id, Status = Status, Currency = Request.Currency ?? "usd", Total = Total, AmountDue = Total };
}
