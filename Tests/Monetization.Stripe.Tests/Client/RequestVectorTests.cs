using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Monetization.Stripe.Tests.Client;

/// <summary>
/// Every call captured from stripe-node in <c>request-vectors.json</c> is rebuilt through <see cref="IStripeClient"/> and
/// must produce the same method, path, query, headers and body bytes.
/// </summary>
[TestFixture]
public sealed class RequestVectorTests
{
    private const string SecretKey = "sk_test_FAKE_KEY_FOR_VECTORS";

    private static readonly Dictionary<string, Func<IStripeClient, StripeRequestOptions, Task>> Calls = new()
    {
        ["customers.create"] = (s, o) => s.Customers.CreateAsync(
            new CustomerCreateRequest { Email = "jenny.rosen@example.com", Name = "Jenny Rosen", Metadata = Map(("user_id", "42")) }, o),
        ["customers.create (Connect, on a connected account)"] = (s, o) => s.Customers.CreateAsync(
            new CustomerCreateRequest { Email = "buyer@example.com" }, o),
        ["customers.create (encoding edge cases: reserved chars, plus, unicode, brackets in value)"] = (s, o) => s.Customers.CreateAsync(
            new CustomerCreateRequest { Description = "x y!*'()~-_.[]:/?&=+é", Metadata = Map(("order id", "a&b=c")) }, o),
        ["customers.retrieve"] = (s, o) => s.Customers.GetAsync("cus_QXg1o8vcGmoR32", options: o),
        ["customers.retrieve with expand"] = (s, o) => s.Customers.GetAsync(
            "cus_QXg1o8vcGmoR32", ["subscriptions", "invoice_settings.default_payment_method"], o),
        ["checkout.sessions.create (subscription + trial)"] = (s, o) => s.CheckoutSessions.CreateAsync(new CheckoutSessionCreateRequest
        {
            Mode = "subscription",
            Customer = "cus_QXg1o8vcGmoR32",
            ClientReferenceId = "user_42",
            LineItems = [new CheckoutLineItem { Price = "price_1PgafmB7WZ01zgkW6dKueIc5", Quantity = 1 }],
            SubscriptionData = new CheckoutSubscriptionData { TrialPeriodDays = 14, Metadata = Map(("plan", "pro")) },
            Metadata = Map(("user_id", "42"), ("plan", "pro")),
            SuccessUrl = "https://example.com/billing/success?session_id={CHECKOUT_SESSION_ID}",
            CancelUrl = "https://example.com/billing/cancel",
        }, o),
        ["checkout.sessions.create (payment, destination charge with application fee)"] = (s, o) => s.CheckoutSessions.CreateAsync(new CheckoutSessionCreateRequest
        {
            Mode = "payment",
            CustomerEmail = "buyer@example.com",
            ClientReferenceId = "order_789",
            LineItems =
            [
                new CheckoutLineItem
                {
                    PriceData = new CheckoutPriceData { Currency = "usd", ProductName = "Consulting hour", UnitAmount = 1099 },
                    Quantity = 2,
                },
            ],
            PaymentIntentData = new CheckoutPaymentIntentData
            {
                ApplicationFeeAmount = 220,
                TransferDestination = "acct_1PgafTB7WZ01zgkW",
                Metadata = Map(("order_id", "order_789")),
            },
            Metadata = Map(("order_id", "order_789")),
            SuccessUrl = "https://example.com/pay/success",
            CancelUrl = "https://example.com/pay/cancel",
        }, o),
        ["billingPortal.sessions.create"] = (s, o) => s.BillingPortalSessions.CreateAsync(
            new BillingPortalSessionCreateRequest { Customer = "cus_QXg1o8vcGmoR32", ReturnUrl = "https://example.com/account" }, o),
        ["subscriptions.retrieve"] = (s, o) => s.Subscriptions.GetAsync("sub_1Pgc6rB7WZ01zgkWNy0Cn5nw", options: o),
        ["subscriptions.update (cancel at period end)"] = (s, o) => s.Subscriptions.UpdateAsync(
            "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw", new SubscriptionUpdateRequest { CancelAtPeriodEnd = true }, o),
        ["subscriptions.update (plan change with proration)"] = (s, o) => s.Subscriptions.UpdateAsync(
            "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw",
            new SubscriptionUpdateRequest
            {
                Items = [new SubscriptionItemChange { Id = "si_QXhVnC2h0Jczwc", Price = "price_1PgbPro0000000000000000" }],
                ProrationBehavior = "create_prorations",
                CancelAtPeriodEnd = false,
            },
            o),
        ["subscriptions.update (unset metadata key and description with empty string)"] = (s, o) => s.Subscriptions.UpdateAsync(
            "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw", new SubscriptionUpdateRequest { Metadata = Map(("old_key", "")), Description = "" }, o),
        ["subscriptions.cancel"] = (s, o) => s.Subscriptions.CancelAsync("sub_1Pgc6rB7WZ01zgkWNy0Cn5nw", options: o),
        ["subscriptions.cancel with params"] = (s, o) => s.Subscriptions.CancelAsync(
            "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw", new SubscriptionCancelRequest { InvoiceNow = true, Prorate = true }, o),
        ["transfers.create"] = (s, o) => s.Transfers.CreateAsync(new TransferCreateRequest
        {
            Amount = 1100, Currency = "usd", Destination = "acct_1PgafTB7WZ01zgkW", TransferGroup = "ORDER_95", Metadata = Map(("order_id", "order_95")),
        }, o),
        ["transfers.createReversal"] = (s, o) => s.Transfers.CreateReversalAsync(
            "tr_1Pgc7BB7WZ01zgkWVJfE40RX",
            new TransferReversalCreateRequest { Amount = 500, Description = "Partial refund", Metadata = Map(("reason", "refund")) },
            o),
        ["accounts.create (express)"] = (s, o) => s.Accounts.CreateAsync(new AccountCreateRequest
        {
            Type = "express",
            Country = "US",
            Email = "seller@example.com",
            RequestedCapabilities = ["card_payments", "transfers"],
            BusinessType = "individual",
            Metadata = Map(("seller_id", "7")),
        }, o),
        ["accountLinks.create"] = (s, o) => s.AccountLinks.CreateAsync(new AccountLinkCreateRequest
        {
            Account = "acct_1PgafTB7WZ01zgkW",
            RefreshUrl = "https://example.com/connect/refresh",
            ReturnUrl = "https://example.com/connect/return",
            Type = "account_onboarding",
        }, o),
        ["events.list"] = (s, o) => s.Events.ListAsync(new EventListRequest
        {
            Type = "checkout.session.completed",
            Limit = 10,
            Created = new StripeDateRange { Gte = DateTimeOffset.FromUnixTimeSeconds(1785312000) },
            StartingAfter = "evt_1Pgc76B7WZ01zgkWwyRHS12y",
        }, o),
        ["events.list (types array)"] = (s, o) => s.Events.ListAsync(
            new EventListRequest { Types = ["invoice.paid", "invoice.payment_failed"], DeliverySuccess = false }, o),
        ["refunds.create"] = (s, o) => s.Refunds.CreateAsync(new RefundCreateRequest
        {
            PaymentIntent = "pi_1PgafyB7WZ01zgkWSjxsAJo3",
            Amount = 1099,
            Reason = "requested_by_customer",
            ReverseTransfer = true,
            RefundApplicationFee = true,
            Metadata = Map(("order_id", "order_789")),
        }, o),
        ["billing.meterEvents.create"] = (s, o) => s.MeterEvents.CreateAsync(new MeterEventCreateRequest
        {
            EventName = "api_request",
            Payload = Map(("stripe_customer_id", "cus_QXg1o8vcGmoR32"), ("value", "25")),
            Identifier = "usage-42-2026-08-03T10:00",
            Timestamp = DateTimeOffset.FromUnixTimeSeconds(1785751200),
        }, o),
        ["invoices.create"] = (s, o) => s.Invoices.CreateAsync(new InvoiceCreateRequest
        {
            Customer = "cus_QXg1o8vcGmoR32",
            CollectionMethod = "send_invoice",
            DaysUntilDue = 30,
            AutoAdvance = false,
            PendingInvoiceItemsBehavior = "include",
            Metadata = Map(("project", "alpha")),
        }, o),
        ["invoiceItems.create"] = (s, o) => s.InvoiceItems.CreateAsync(new InvoiceItemCreateRequest
        {
            Customer = "cus_QXg1o8vcGmoR32",
            Amount = 1000,
            Currency = "usd",
            Description = "Setup fee",
            Invoice = "in_1Pgc6tB7WZ01zgkWu9fdqL6I",
            Metadata = Map(("kind", "setup")),
        }, o),
    };

    private static Dictionary<string, string> Map(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value);

    public static IEnumerable<TestCaseData> Vectors()
    {
        var file = SharedStripeData.StripeDir is { } dir ? Path.Combine(dir, "request-vectors.json") : null;
        if (file is null || !File.Exists(file))
        {
            yield return new TestCaseData(null).SetName("request-vectors.json absent");
            yield break;
        }

        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            yield return new TestCaseData(c.Clone()).SetName("vector: " + c.GetProperty("name").GetString());
        }
    }

    [TestCaseSource(nameof(Vectors))]
    public async Task TypedCallMatchesVectorByteForByte(JsonElement? vector)
    {
        if (vector is not { } v)
        {
            SharedStripeData.RequireStripeDir();
            return;
        }

        var name = v.GetProperty("name").GetString()!;
        Assert.That(Calls.ContainsKey(name), Is.True, $"no typed call is mapped to vector '{name}'");
        var headers = v.GetProperty("headers");
        string? VectorHeader(string h) => headers.TryGetProperty(h, out var x) ? x.GetString() : null;

        var handler = new CapturingHandler();
        await using var provider = TestClients.Build(
            new Dictionary<string, string?> { ["Stripe:SecretKey"] = SecretKey, ["Stripe:MaxNetworkRetries"] = "0" }, handler);
        var stripe = provider.GetRequiredService<IStripeClient>();
        await Calls[name](stripe, new StripeRequestOptions
        {
            IdempotencyKey = VectorHeader("Idempotency-Key"),
            StripeAccount = VectorHeader("Stripe-Account"),
        });

        Assert.That(handler.Requests, Has.Count.EqualTo(1));
        var r = handler.Requests[0];
        var query = v.GetProperty("query").ValueKind == JsonValueKind.Null ? "" : v.GetProperty("query").GetString();
        var body = v.GetProperty("body").ValueKind == JsonValueKind.Null ? null : v.GetProperty("body").GetString();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(r.Method, Is.EqualTo(v.GetProperty("method").GetString()), "method");
            Assert.That(r.Uri.GetLeftPart(UriPartial.Authority), Is.EqualTo("https://api.stripe.com"), "default ApiBase");
            Assert.That(r.Uri.PathAndQuery, Is.EqualTo(v.GetProperty("path").GetString() + query), "path and query");
            Assert.That(r.Header("Stripe-Version"), Is.EqualTo(VectorHeader("Stripe-Version")), "Stripe-Version");
            Assert.That(r.Header("Idempotency-Key"), Is.EqualTo(VectorHeader("Idempotency-Key")), "Idempotency-Key");
            Assert.That(r.Header("Stripe-Account"), Is.EqualTo(VectorHeader("Stripe-Account")), "Stripe-Account");
            Assert.That(r.Header("Authorization"), Is.EqualTo(VectorHeader("Authorization")), "Authorization");
            Assert.That(r.Header("Accept"), Is.EqualTo(VectorHeader("Accept")), "Accept");
            if (body is null)
            {
                // stripe-node also sends Content-Type on bodiless GET/DELETE; HttpClient cannot without content, and Stripe ignores it.
                Assert.That(r.Body, Is.Null, "no body on GET/DELETE");
            }
            else
            {
                Assert.That(r.ContentType, Is.EqualTo(VectorHeader("Content-Type")), "Content-Type");
                Assert.That(r.Body, Is.EqualTo(Encoding.UTF8.GetBytes(body)), $"body bytes; got {Encoding.UTF8.GetString(r.Body ?? [])}");
            }
        }
    }

    [Test]
    public void EveryMappedCallHasAVector()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(SharedStripeData.PathTo("request-vectors.json")));
        var names = doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToHashSet();
        Assert.That(Calls.Keys, Is.SubsetOf(names));
        Assert.That(names, Has.Count.EqualTo(Calls.Count));
    }

    [Test]
    public async Task PostWithoutCallerKeyGetsAGeneratedIdempotencyKey()
    {
        var handler = new CapturingHandler();
        await using var provider = TestClients.Build(new Dictionary<string, string?>(), handler);
        var stripe = provider.GetRequiredService<IStripeClient>();
        await stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = "a@b.c" });
        await stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = "a@b.c" });
        var keys = handler.Requests.Select(r => r.Header("Idempotency-Key")).ToList();
        Assert.That(keys, Has.All.Not.Null.And.All.Length.EqualTo(36));
        Assert.That(keys[0], Is.Not.EqualTo(keys[1]), "each logical call has its own key");
        Assert.That(handler.Requests[0].Header("Authorization"), Is.Null, "no key configured, no Authorization header");
    }

    [Test]
    public async Task ApiBasePathPrefixIsKeptAndApiVersionIsConfigurable()
    {
        var handler = new CapturingHandler();
        await using var provider = TestClients.Build(
            new Dictionary<string, string?> { ["Stripe:ApiBase"] = "http://localhost/_stripe/", ["Stripe:ApiVersion"] = "2026-10-28.endive" }, handler);
        await provider.GetRequiredService<IStripeClient>().Subscriptions.ListAsync(new SubscriptionListRequest { Customer = "cus_1", Status = "all" });
        var r = handler.Requests.Single();
        Assert.That(r.Uri.ToString(), Is.EqualTo("http://localhost/_stripe/v1/subscriptions?customer=cus_1&status=all"));
        Assert.That(r.Header("Stripe-Version"), Is.EqualTo("2026-10-28.endive"));
    }

    [Test]
    public async Task OperationsOutsideTheVectorsEncodeAsDocumented()
    {
        var handler = new CapturingHandler();
        await using var provider = TestClients.Build(new Dictionary<string, string?>(), handler);
        var s = provider.GetRequiredService<IStripeClient>();
        var o = new StripeRequestOptions { IdempotencyKey = "k" };
        await s.Subscriptions.UpdateAsync("sub_1", new SubscriptionUpdateRequest
        {
            Items = [new SubscriptionItemChange { Id = "si_1", Deleted = true }, new SubscriptionItemChange { Price = "price_addon", Quantity = 2 }],
            EndTrialNow = true,
            ProrationBehavior = "none",
        }, o);
        await s.SubscriptionItems.CreateAsync(new SubscriptionItemCreateRequest { Subscription = "sub_1", Price = "price_x", Quantity = 1 }, o);
        await s.SubscriptionItems.DeleteAsync("si_1", new SubscriptionItemDeleteRequest { ProrationBehavior = "none" });
        await s.Invoices.FinalizeAsync("in_1", new InvoiceFinalizeRequest { AutoAdvance = false }, o);
        await s.Invoices.PayAsync("in_1", options: o);
        await s.Prices.CreateAsync(new PriceCreateRequest { Currency = "usd", UnitAmount = 2000, Product = "prod_1", RecurringInterval = "month" }, o);
        await s.Products.ListAsync(new ProductListRequest { Active = true, Limit = 3 });
        await s.Refunds.CreateAsync(new RefundCreateRequest { Charge = "ch_1", Amount = 5 }, o);
        await s.Subscriptions.UpdateAsync("sub_1", new SubscriptionUpdateRequest { TrialEnd = DateTimeOffset.FromUnixTimeSeconds(1786960893) }, o);

        var seen = handler.Requests.Select(r => $"{r.Method} {r.Uri.PathAndQuery} {(r.Body is null ? "" : Encoding.UTF8.GetString(r.Body))}".TrimEnd()).ToList();
        Assert.That(seen, Is.EqualTo(new[]
        {
            "POST /v1/subscriptions/sub_1 items[0][id]=si_1&items[0][deleted]=true&items[1][price]=price_addon&items[1][quantity]=2&proration_behavior=none&trial_end=now",
            "POST /v1/subscription_items subscription=sub_1&price=price_x&quantity=1",
            "DELETE /v1/subscription_items/si_1?proration_behavior=none",
            "POST /v1/invoices/in_1/finalize auto_advance=false",
            "POST /v1/invoices/in_1/pay",
            "POST /v1/prices currency=usd&unit_amount=2000&product=prod_1&recurring[interval]=month",
            "GET /v1/products?active=true&limit=3",
            "POST /v1/refunds charge=ch_1&amount=5",
            "POST /v1/subscriptions/sub_1 trial_end=1786960893",
        }));
        Assert.That(handler.Requests.Where(r => r.Method == "POST").Select(r => r.Header("Idempotency-Key")), Has.All.EqualTo("k"));
        Assert.That(handler.Requests.Where(r => r.Method != "POST").Select(r => r.Header("Idempotency-Key")), Has.All.Null);
    }

    [Test]
    public void ConflictingOrMissingArgumentsAreRejectedBeforeSending()
    {
        var handler = new CapturingHandler();
        using var provider = TestClients.Build(new Dictionary<string, string?>(), handler);
        var s = provider.GetRequiredService<IStripeClient>();
        Assert.ThrowsAsync<ArgumentException>(() => s.Refunds.CreateAsync(new RefundCreateRequest { Amount = 1 }));
        Assert.ThrowsAsync<ArgumentException>(() => s.Subscriptions.UpdateAsync(
            "sub_1", new SubscriptionUpdateRequest { EndTrialNow = true, TrialEnd = DateTimeOffset.UnixEpoch }));
        Assert.ThrowsAsync<ArgumentException>(() => s.Customers.GetAsync(" "));
        Assert.That(handler.Requests, Is.Empty);
    }
}
