using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace Monetization.Stripe.Tests.Client;

/// <summary>Retry, timeout and error mapping through real HTTP against a scripted Kestrel server.</summary>
[TestFixture]
public sealed class RetryAndErrorTests
{
    private const string Ok = """{"id":"cus_ok","object":"customer","email":"a@b.c"}""";
    private const string ApiError = """{"error":{"type":"api_error","message":"An unknown error occurred"}}""";
    private const string LockTimeout = """{"error":{"type":"invalid_request_error","code":"lock_timeout","message":"This object cannot be accessed right now because another API request or Stripe process is currently accessing it."}}""";

    private ScriptedStripeServer _server = null!;

    [SetUp]
    public async Task StartServer() => _server = await ScriptedStripeServer.StartAsync();

    [TearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private ServiceProvider Client(out IStripeClient stripe, int retries = 2, double timeoutSeconds = 5, string? apiBase = null)
    {
        var provider = TestClients.Build(new Dictionary<string, string?>
        {
            ["Stripe:SecretKey"] = "sk_test_x",
            ["Stripe:ApiBase"] = apiBase ?? _server.BaseUrl + "/_stripe",
            ["Stripe:MaxNetworkRetries"] = retries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Stripe:TimeoutSeconds"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Stripe:RetryBaseDelayMilliseconds"] = "1",
            ["Stripe:RetryMaxDelayMilliseconds"] = "5",
        });
        stripe = provider.GetRequiredService<IStripeClient>();
        return provider;
    }

    private static string Sample(string name) => File.ReadAllText(SharedStripeData.PathTo("samples", "errors", name));

    [Test]
    public async Task ServerErrorTwiceThenSuccessRetriesWithTheSameGeneratedIdempotencyKey()
    {
        _server.Then(ScriptedResponse.Json(500, ApiError)).Then(ScriptedResponse.Json(503, ApiError)).Then(ScriptedResponse.Json(200, Ok));
        await using var provider = Client(out var stripe);

        var customer = await stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = "a@b.c" });

        var attempts = _server.Attempts.ToList();
        Assert.That(customer.Email, Is.EqualTo("a@b.c"));
        Assert.That(attempts, Has.Count.EqualTo(3));
        Assert.That(attempts.Select(a => a.IdempotencyKey).Distinct().Single(), Has.Length.EqualTo(36));
        Assert.That(attempts.Select(a => a.Body), Has.All.EqualTo("email=a%40b.c"));
        Assert.That(attempts.Select(a => a.PathAndQuery), Has.All.EqualTo("/_stripe/v1/customers"));
        Assert.That(attempts.Select(a => a.StripeVersion), Has.All.EqualTo("2026-07-29.dahlia"));
    }

    [Test]
    public async Task RateLimitIsRetriedThenSurfacesAsRateLimitException()
    {
        _server.Fallback = ScriptedResponse.Json(429, Sample("429.rate_limit.json"), ("Request-Id", "req_429"));
        await using var provider = Client(out var stripe);

        var ex = Assert.ThrowsAsync<StripeRateLimitException>(() => stripe.Transfers.CreateAsync(
            new TransferCreateRequest { Amount = 100, Currency = "usd", Destination = "acct_1" },
            new StripeRequestOptions { IdempotencyKey = "payout:dev_7:2026-08" }));

        Assert.That(_server.Attempts, Has.Count.EqualTo(3));
        Assert.That(_server.Attempts.Select(a => a.IdempotencyKey), Has.All.EqualTo("payout:dev_7:2026-08"));
        Assert.That(ex!.HttpStatus, Is.EqualTo(429));
        Assert.That(ex.Code, Is.EqualTo("rate_limit"));
        Assert.That(ex.RequestId, Is.EqualTo("req_429"));
    }

    [Test]
    public async Task LockTimeoutConflictIsRetriedWithTheCallersKey()
    {
        _server.Then(ScriptedResponse.Json(409, LockTimeout)).Then(ScriptedResponse.Json(200, Ok));
        await using var provider = Client(out var stripe);

        await stripe.Customers.UpdateAsync("cus_ok", new CustomerUpdateRequest { Name = "N" }, new StripeRequestOptions { IdempotencyKey = "upd-1" });

        Assert.That(_server.Attempts, Has.Count.EqualTo(2));
        Assert.That(_server.Attempts.Select(a => a.IdempotencyKey), Has.All.EqualTo("upd-1"));
    }

    [Test]
    public async Task ShouldRetryFalseOverridesTheStatusRule()
    {
        _server.Fallback = ScriptedResponse.Json(500, Sample("500.api_error.json"), ("Stripe-Should-Retry", "false"), ("Request-Id", "req_500"));
        await using var provider = Client(out var stripe);

        var ex = Assert.ThrowsAsync<StripeApiException>(() => stripe.Customers.GetAsync("cus_ok"));

        Assert.That(_server.Attempts, Has.Count.EqualTo(1));
        Assert.That(ex!.HttpStatus, Is.EqualTo(500));
        Assert.That(ex.ShouldRetry, Is.False);
        Assert.That(ex.ErrorType, Is.EqualTo("api_error"));
        Assert.That(ex.RequestId, Is.EqualTo("req_500"));
        Assert.That(_server.Attempts.Single().IdempotencyKey, Is.Empty, "GET carries no Idempotency-Key");
    }

    [Test]
    public async Task ShouldRetryTrueRetriesEvenA400()
    {
        _server.Then(ScriptedResponse.Json(400, Sample("400.invalid_request_error.parameter_missing.json"), ("Stripe-Should-Retry", "true")))
            .Then(ScriptedResponse.Json(200, Ok));
        await using var provider = Client(out var stripe);

        await stripe.Customers.CreateAsync(new CustomerCreateRequest());

        Assert.That(_server.Attempts, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task CardErrorIsNotRetriedAndCarriesStripeFields()
    {
        _server.Fallback = ScriptedResponse.Json(402, Sample("402.card_error.card_declined.json"), ("Request-Id", "req_O5p6Q7r8S9t0U1"));
        await using var provider = Client(out var stripe);

        var ex = Assert.ThrowsAsync<StripeCardException>(() => stripe.Invoices.PayAsync("in_1"));

        Assert.That(_server.Attempts, Has.Count.EqualTo(1));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.HttpStatus, Is.EqualTo(402));
            Assert.That(ex.ErrorType, Is.EqualTo("card_error"));
            Assert.That(ex.Code, Is.EqualTo("card_declined"));
            Assert.That(ex.DeclineCode, Is.EqualTo("insufficient_funds"));
            Assert.That(ex.Charge, Is.EqualTo("ch_1PgafuB7WZ01zgkWdecl0001"));
            Assert.That(ex.StripeMessage, Is.EqualTo("Your card has insufficient funds."));
            Assert.That(ex.RequestId, Is.EqualTo("req_O5p6Q7r8S9t0U1"));
            Assert.That(ex.ShouldRetry, Is.Null);
            Assert.That(ex, Is.InstanceOf<StripeException>());
        }
    }

    [TestCase("400.idempotency_error.json", 400, typeof(StripeIdempotencyException), 1)]
    [TestCase("400.invalid_request_error.parameter_missing.json", 400, typeof(StripeInvalidRequestException), 1)]
    [TestCase("401.invalid_api_key.json", 401, typeof(StripeAuthenticationException), 1)]
    [TestCase("404.invalid_request_error.resource_missing.json", 404, typeof(StripeInvalidRequestException), 1)]
    [TestCase("400.invalid_request_error.parameter_missing.json", 403, typeof(StripePermissionException), 1)]
    [TestCase("429.rate_limit.json", 400, typeof(StripeRateLimitException), 1)]
    [TestCase("500.api_error.json", 502, typeof(StripeApiException), 3)]
    public async Task ErrorSamplesMapToTypedExceptions(string file, int status, Type expected, int attempts)
    {
        var body = Sample(file);
        _server.Fallback = ScriptedResponse.Json(status, body);
        await using var provider = Client(out var stripe);

        var ex = Assert.CatchAsync<StripeException>(() => stripe.AccountLinks.CreateAsync(new AccountLinkCreateRequest { Account = "acct_1" }));

        Assert.That(ex, Is.TypeOf(expected));
        Assert.That(ex!.HttpStatus, Is.EqualTo(status));
        Assert.That(ex.StripeMessage, Is.Not.Empty);
        Assert.That(_server.Attempts, Has.Count.EqualTo(attempts));
        if (file.Contains("parameter_missing", StringComparison.Ordinal))
        {
            Assert.That(ex.Param, Is.EqualTo("account"));
            Assert.That(ex.Code, Is.EqualTo("parameter_missing"));
        }
    }

    [Test]
    public async Task NonJsonErrorBodyStillMapsByStatus()
    {
        _server.Fallback = ScriptedResponse.Json(404, "<html>not found</html>");
        await using var provider = Client(out var stripe);

        var ex = Assert.ThrowsAsync<StripeInvalidRequestException>(() => stripe.Events.GetAsync("evt_1"));
        Assert.That(ex!.HttpStatus, Is.EqualTo(404));
        Assert.That(ex.Error, Is.Null);
    }

    [Test]
    public async Task HangingConnectionTimesOutPerAttemptAndSurfacesAsConnectionException()
    {
        _server.Fallback = ScriptedResponse.Hanging();
        await using var provider = Client(out var stripe, retries: 1, timeoutSeconds: 0.3);
        var watch = Stopwatch.StartNew();

        var ex = Assert.ThrowsAsync<StripeConnectionException>(() => stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = "x@y.z" }));

        watch.Stop();
        Assert.That(ex!.HttpStatus, Is.Null);
        Assert.That(ex.Message, Does.Contain("timed out"));
        Assert.That(_server.Attempts, Has.Count.EqualTo(2));
        Assert.That(_server.Attempts.Select(a => a.IdempotencyKey).Distinct().Count(), Is.EqualTo(1));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task UnreachableServerSurfacesAsConnectionException()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using var provider = Client(out var stripe, apiBase: $"http://127.0.0.1:{port}");
        var ex = Assert.ThrowsAsync<StripeConnectionException>(() => stripe.Customers.GetAsync("cus_1"));
        Assert.That(ex!.HttpStatus, Is.Null);
        Assert.That(ex.InnerException, Is.InstanceOf<HttpRequestException>());
    }

    [Test]
    public async Task ZeroRetriesMeansOneAttempt()
    {
        _server.Fallback = ScriptedResponse.Json(500, ApiError);
        await using var provider = Client(out var stripe, retries: 0);

        Assert.ThrowsAsync<StripeApiException>(() => stripe.Customers.CreateAsync(new CustomerCreateRequest()));
        Assert.That(_server.Attempts, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task CallerCancellationIsNotRetried()
    {
        _server.Fallback = ScriptedResponse.Hanging();
        await using var provider = Client(out var stripe, timeoutSeconds: 30);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.CatchAsync<OperationCanceledException>(() => stripe.Customers.GetAsync("cus_1", cancellationToken: cts.Token));
        Assert.That(_server.Attempts, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task AutoPagingFollowsHasMoreWithStartingAfter()
    {
        _server.Then(ScriptedResponse.Json(200, """{"object":"list","has_more":true,"url":"/v1/events","data":[{"id":"evt_3","object":"event","type":"a","created":3,"data":{"object":{}}},{"id":"evt_2","object":"event","type":"a","created":2,"data":{"object":{}}}]}"""))
            .Then(ScriptedResponse.Json(200, """{"object":"list","has_more":false,"url":"/v1/events","data":[{"id":"evt_1","object":"event","type":"a","created":1,"data":{"object":{}}}]}"""));
        await using var provider = Client(out var stripe);

        var ids = new List<string>();
        await foreach (var e in stripe.Events.ListAutoPagingAsync(new EventListRequest { Type = "a", Limit = 2 }))
        {
            ids.Add(e.Id);
        }

        Assert.That(ids, Is.EqualTo(new[] { "evt_3", "evt_2", "evt_1" }));
        Assert.That(_server.Attempts.Select(a => a.PathAndQuery), Is.EqualTo(new[]
        {
            "/_stripe/v1/events?type=a&limit=2",
            "/_stripe/v1/events?type=a&limit=2&starting_after=evt_2",
        }));
    }
}
