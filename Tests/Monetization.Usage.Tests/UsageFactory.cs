using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Monetization.IntegrationEvents.Subscriptions;
using System.Net;
using System.Text;
using System.Text.Json;
using Monetization.Stripe;
using StripeNet = Stripe;
using Monetization.TestKit;

namespace Monetization.Usage.Tests;

/// <summary>The Host with Stripe.net talking to a scripted Stripe (<see cref="FakeStripe"/>) and the monthly job off (tests run invoices themselves).</summary>
internal sealed class UsageFactory : MonetizationFactory
{
    /// <param name="invoiceJob">Whether the monthly usage invoice job runs.</param>
    /// <param name="dataDirectory">Data of an earlier factory, to restart a Host over it; null for new data.</param>
    public UsageFactory(bool invoiceJob = false, string? dataDirectory = null)
        : base(dataDirectory)
    {
        WithSetting("Usage:InvoiceJob:Enabled", invoiceJob ? "true" : "false");
        WithSetting("Usage:ModelPrices:gpt-4o:Input", "2.50");
        WithSetting("Usage:ModelPrices:gpt-4o:Output", "10.00");
        WithSetting("Usage:ModelPrices:mini:Input", "0.15");
        WithSetting("Usage:ModelPrices:mini:Output", "0.60");
        WithServices(services =>
        {
            // Stripe.net's real client over a scripted peer (no retries: a queued failure is the call's final answer).
            services.RemoveAll<StripeNet.StripeClient>();
            services.AddSingleton(_ => StripeServiceCollectionExtensions.CreateClient(
                new StripeOptions { SecretKey = "sk_test_fake", ApiBase = "http://fake-stripe.test", MaxNetworkRetries = 0 }, Stripe));
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
/// A scripted Stripe peer under Stripe.net's real client: checkout sessions, invoices and invoice items kept in memory, the
/// form parameters Stripe.net sent recorded decoded, the first result of an idempotency key replayed as Stripe does;
/// failures (500 <c>api_error</c>) and declines (402 <c>card_error</c>) can be queued.
/// </summary>
internal sealed class FakeStripe : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, string> _byKey = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private int _sequence;

    public ConcurrentQueue<FormRequest> Sessions { get; } = new();

    public ConcurrentDictionary<string, FakeInvoice> CreatedInvoices { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<FormRequest> Items { get; } = new();

    /// <summary>Operations to fail once each with a 500: "invoice", "item", "finalize", "pay", "checkout".</summary>
    public ConcurrentQueue<string> FailNext { get; } = new();

    /// <summary>Decline the next payments (card_declined).</summary>
    public int DeclinePayments { get; set; }

    public ConcurrentQueue<string> Calls { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var form = new FormRequest(request.Method == HttpMethod.Get ? request.RequestUri!.Query.TrimStart('?') : body);
        var path = request.RequestUri!.AbsolutePath;
        var key = request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.First() : null;
        var (operation, handler) = (request.Method.Method, path.Split('/', StringSplitOptions.RemoveEmptyEntries)) switch
        {
            ("POST", ["v1", "checkout", "sessions"]) => ("checkout", (Func<string>)(() => CreateSession(form))),
            ("POST", ["v1", "invoices"]) => ("invoice", () => CreateInvoice(form)),
            ("POST", ["v1", "invoiceitems"]) => ("item", () => CreateItem(form)),
            ("POST", ["v1", "invoices", var id, "finalize"]) => ("finalize", () => Finalize(id)),
            ("POST", ["v1", "invoices", var id, "pay"]) => ("pay", () => Pay(id)),
            ("GET", ["v1", "invoices", var id]) => ("get_invoice", () => CreatedInvoices[id].ToJson()),
            _ => throw new NotSupportedException($"FakeStripe: {request.Method} {path}"),
        };
        Calls.Enqueue(operation);
        if (FailNext.TryPeek(out var next) && next == operation && FailNext.TryDequeue(out _))
        {
            return Error(HttpStatusCode.InternalServerError, "api_error", null, "An unknown error occurred");
        }

        try
        {
            lock (_lock)
            {
                var json = key is not null && request.Method == HttpMethod.Post ? _byKey.GetOrAdd(key, _ => handler()) : handler();
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            }
        }
        catch (FakeStripeError e)
        {
            return Error(e.Status, e.Type, e.Code, e.Message);
        }
    }

    private static HttpResponseMessage Error(HttpStatusCode status, string type, string? code, string message) =>
        new(status) { Content = new StringContent(JsonSerializer.Serialize(new { error = new { type, code, message } }), Encoding.UTF8, "application/json") };

    private string NextId(string prefix) => $"{prefix}_{Interlocked.Increment(ref _sequence):D6}";

    private string CreateSession(FormRequest form)
    {
        Sessions.Enqueue(form);
        var id = NextId("cs_test");
        return JsonSerializer.Serialize(new { id, @object = "checkout.session", mode = form.Mode, url = $"https://checkout.stripe.test/{id}", metadata = form.Metadata });
    }

    private string CreateInvoice(FormRequest form)
    {
        var invoice = new FakeInvoice(NextId("in"), form);
        CreatedInvoices[invoice.Id] = invoice;
        return invoice.ToJson();
    }

    private string CreateItem(FormRequest form)
    {
        Items.Enqueue(form);
        CreatedInvoices[form.Invoice!].Items.Add(form);
        return JsonSerializer.Serialize(new { id = NextId("ii"), @object = "invoiceitem", amount = form.Amount ?? 0, currency = form.Currency ?? "" });
    }

    private string Finalize(string id)
    {
        var invoice = CreatedInvoices[id];
        invoice.Status = "open";
        return invoice.ToJson();
    }

    private string Pay(string id)
    {
        var invoice = CreatedInvoices[id];
        if (invoice.Status == "paid")
        {
            throw new FakeStripeError(HttpStatusCode.BadRequest, "invalid_request_error", "invoice_already_paid", "Invoice is already paid.");
        }

        if (DeclinePayments > 0)
        {
            DeclinePayments--;
            throw new FakeStripeError(HttpStatusCode.PaymentRequired, "card_error", "card_declined", "Your card was declined.");
        }

        invoice.Status = "paid";
        invoice.Payments++;
        return invoice.ToJson();
    }

    private sealed class FakeStripeError(HttpStatusCode status, string type, string? code, string message) : Exception(message)
    {
        public HttpStatusCode Status { get; } = status;

        public string Type { get; } = type;

        public string? Code { get; } = code;
    }
}

/// <summary>A form-encoded request as Stripe receives it, decoded (<c>metadata[k]</c> → <see cref="Metadata"/>).</summary>
internal sealed class FormRequest
{
    private readonly List<KeyValuePair<string, string>> _pairs;

    public FormRequest(string encoded)
    {
        _pairs = encoded.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => KeyValuePair.Create(WebUtility.UrlDecode(p[0]), p.Length > 1 ? WebUtility.UrlDecode(p[1]) : ""))
            .ToList();
    }

    public string? this[string key] => _pairs.LastOrDefault(p => p.Key == key).Value;

    public string? Mode => this["mode"];

    public string? Customer => this["customer"];

    public string? CustomerCreation => this["customer_creation"];

    public string? ClientReferenceId => this["client_reference_id"];

    /// <summary><c>line_items[i][quantity]</c> and <c>line_items[i][price_data][unit_amount]</c>, in index order.</summary>
    public List<FormLineItem> LineItems => Enumerable.Range(0, 100).TakeWhile(i => this[$"line_items[{i}][quantity]"] is not null)
        .Select(i => new FormLineItem(Long($"line_items[{i}][quantity]"), new FormPriceData(Long($"line_items[{i}][price_data][unit_amount]")))).ToList();

    private long? Long(string key) => this[key] is { } v ? long.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : null;

    public string? Subscription => this["subscription"];

    public string? CollectionMethod => this["collection_method"];

    public string? PendingInvoiceItemsBehavior => this["pending_invoice_items_behavior"];

    public string? Currency => this["currency"];

    public string? Description => this["description"];

    public string? Invoice => this["invoice"];

    public bool? AutoAdvance => this["auto_advance"] is { } v ? bool.Parse(v) : null;

    public long? Amount => this["amount"] is { } v ? long.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : null;

    public Dictionary<string, string> Metadata => _pairs.Where(p => p.Key.StartsWith("metadata[", StringComparison.Ordinal))
        .ToDictionary(p => p.Key["metadata[".Length..^1], p => p.Value, StringComparer.Ordinal);
}

internal sealed record FormLineItem(long? Quantity, FormPriceData? PriceData);

internal sealed record FormPriceData(long? UnitAmount);

internal sealed class FakeInvoice(string id, FormRequest request)
{
    public string Id { get; } = id;

    public FormRequest Request { get; } = request;

    public string Status { get; set; } = "draft";

    public int Payments { get; set; }

    public List<FormRequest> Items { get; } = [];

    public long Total => Items.Sum(i => i.Amount ?? 0);

    public string ToJson() => JsonSerializer.Serialize(new { id = Id, @object = "invoice", status = Status, currency = Request.Currency ?? "usd", total = Total, amount_due = Total });
}
