using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Http;
using StripeNet = Stripe;

namespace Monetization.Stripe.Tests.Client;

/// <summary>
/// Stripe.net as the Host builds it (<c>AddStripeClient</c>) against a scripted Kestrel server: its network retries reuse
/// the idempotency key, which failures are retried, how every failure surfaces (the base <see cref="StripeNet.StripeException"/>,
/// <see cref="StripeConnectionException"/> after the last network retry) and the 503/502 problem each becomes (issue 16).
/// Stripe.net waits 0.5–5 s between retries, so only the retry tests allow any.
/// </summary>
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

    private StripeNet.StripeClient Client(int retries = 0, double timeoutSeconds = 5, string? apiBase = null) =>
        StripeServiceCollectionExtensions.CreateClient(new StripeOptions
        {
            SecretKey = "sk_test_x",
            ApiBase = apiBase ?? _server.BaseUrl + "/_stripe",
            MaxNetworkRetries = retries,
            TimeoutSeconds = timeoutSeconds,
        });

    private static string Sample(string name) => File.ReadAllText(SharedStripeData.PathTo("samples", "errors", name));

    [Test]
    public async Task ServerErrorsAreRetriedWithTheSameGeneratedIdempotencyKey()
    {
        _server.Then(ScriptedResponse.Json(500, ApiError)).Then(ScriptedResponse.Json(503, ApiError)).Then(ScriptedResponse.Json(200, Ok));

        var customer = await Client(retries: 2).V1.Customers.CreateAsync(new StripeNet.CustomerCreateOptions { Email = "a@b.c" });

        var attempts = _server.Attempts.ToList();
        Assert.That(customer.Email, Is.EqualTo("a@b.c"));
        Assert.That(attempts, Has.Count.EqualTo(3));
        Assert.That(attempts.Select(a => a.IdempotencyKey).Distinct().Single(), Is.Not.Empty, "Stripe.net generates one key and reuses it");
        Assert.That(attempts.Select(a => a.Body), Has.All.EqualTo("email=a%40b.c"));
        Assert.That(attempts.Select(a => a.PathAndQuery), Has.All.EqualTo("/_stripe/v1/customers"), "ApiBase's path prefix is kept");
        Assert.That(attempts.Select(a => a.StripeVersion), Has.All.EqualTo("2026-10-28.endive"));
    }

    [Test]
    public async Task ACallersIdempotencyKeyIsSentOnEveryAttemptAndAConflictIsRetried()
    {
        _server.Then(ScriptedResponse.Json(409, LockTimeout)).Then(ScriptedResponse.Json(200, Ok));

        await Client(retries: 1).V1.Customers.CreateAsync(new StripeNet.CustomerCreateOptions { Email = "a@b.c" }, new StripeNet.RequestOptions { IdempotencyKey = "customer:u1" });

        Assert.That(_server.Attempts.Select(a => a.IdempotencyKey), Is.EqualTo(new[] { "customer:u1", "customer:u1" }));
    }

    [Test]
    public void RateLimitWithoutShouldRetryIsNotRetriedAndIsUnavailable()
    {
        _server.Then(ScriptedResponse.Json(429, Sample("429.rate_limit.json"), ("Retry-After", "7")));

        var e = Assert.ThrowsAsync<StripeNet.StripeException>(() => Client(retries: 2).V1.Customers.GetAsync("cus_1"));

        Assert.That(_server.Attempts, Has.Count.EqualTo(1), "Stripe.net does not retry a 429 unless Stripe-Should-Retry says so");
        Assert.That(StripeFailureProblems.IsUnavailable(e!), Is.True);
        var problem = StripeFailureProblems.ToProblem(e!, defaultRetryAfterSeconds: 5);
        Assert.That((problem.Status, problem.Type, problem.RetryAfterSeconds), Is.EqualTo((503, "stripe_unavailable", (int?)7)), "Stripe's own Retry-After");
    }

    [Test]
    public async Task ShouldRetryTrueIsRetriedWhateverTheStatus()
    {
        _server.Then(ScriptedResponse.Json(429, Sample("429.rate_limit.json"), ("Stripe-Should-Retry", "true"))).Then(ScriptedResponse.Json(200, Ok));
        await Client(retries: 1).V1.Customers.GetAsync("cus_1");
        Assert.That(_server.Attempts, Has.Count.EqualTo(2));
    }

    [TestCase("400.idempotency_error.json", 400, "idempotency_error", null, 502)]
    [TestCase("400.invalid_request_error.parameter_missing.json", 400, "invalid_request_error", "parameter_missing", 502)]
    [TestCase("401.invalid_api_key.json", 401, "invalid_request_error", null, 502)]
    [TestCase("402.card_error.card_declined.json", 402, "card_error", "card_declined", 502)]
    [TestCase("404.invalid_request_error.resource_missing.json", 404, "invalid_request_error", "resource_missing", 502)]
    [TestCase("500.api_error.json", 500, "api_error", null, 503)]
    public void ErrorSamplesSurfaceAsTheBaseStripeExceptionWithStripesErrorObject(string file, int status, string type, string? code, int answer)
    {
        var body = Sample(file);
        _server.Then(ScriptedResponse.Json(status, body));

        var e = Assert.ThrowsAsync<StripeNet.StripeException>(() => Client().V1.Customers.CreateAsync(new StripeNet.CustomerCreateOptions { Email = "a@b.c" }));

        using var sample = JsonDocument.Parse(body);
        var error = sample.RootElement.GetProperty("error");
        Assert.That(e!.GetType(), Is.EqualTo(typeof(StripeNet.StripeException)), "v1 errors are the base type only");
        Assert.That(((int)e.HttpStatusCode, e.StripeError?.Type, e.StripeError?.Message), Is.EqualTo((status, type, error.GetProperty("message").GetString())));
        if (code is not null)
        {
            Assert.That(e.StripeError?.Code, Is.EqualTo(code));
        }

        var problem = StripeFailureProblems.ToProblem(e, 5);
        Assert.That(problem.Status, Is.EqualTo(answer));
        if (answer == 502)
        {
            Assert.That((problem.Type, problem.Detail, problem.Extensions!["stripe_code"]), Is.EqualTo(("stripe_error", error.GetProperty("message").GetString(), (object?)e.StripeError?.Code)));
            Assert.That(problem.RetryAfterSeconds, Is.Null);
        }
        else
        {
            Assert.That((problem.Type, problem.RetryAfterSeconds), Is.EqualTo(("stripe_unavailable", (int?)5)));
        }
    }

    [Test]
    public void AHangingAttemptTimesOutAndSurfacesAsAConnectionFailure()
    {
        _server.Then(ScriptedResponse.Hanging());

        var e = Assert.ThrowsAsync<StripeConnectionException>(() => Client(timeoutSeconds: 0.5).V1.Customers.GetAsync("cus_1"));

        Assert.That(e!.TimedOut, Is.True);
        Assert.That(e, Is.InstanceOf<StripeNet.StripeException>(), "a catch (StripeException) sees it");
        var problem = StripeFailureProblems.ToProblem(e, 5);
        Assert.That((problem.Status, problem.Type, problem.RetryAfterSeconds), Is.EqualTo((503, "stripe_unavailable", (int?)5)));
    }

    [Test]
    public void AnUnreachableStripeSurfacesAsAConnectionFailure()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var e = Assert.ThrowsAsync<StripeConnectionException>(() => Client(apiBase: $"http://127.0.0.1:{port}").V1.Customers.GetAsync("cus_1"));

        Assert.That(e!.TimedOut, Is.False);
        Assert.That(e.InnerException, Is.InstanceOf<HttpRequestException>());
        Assert.That(StripeFailureProblems.IsUnavailable(e), Is.True);
    }

    [Test]
    public void ACallersCancellationIsNotRetriedNorReportedAsAnOutage()
    {
        _server.Then(ScriptedResponse.Hanging());
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var e = Assert.CatchAsync<OperationCanceledException>(() => Client(retries: 2).V1.Customers.GetAsync("cus_1", cancellationToken: cts.Token));

        Assert.That(e, Is.Not.InstanceOf<StripeNet.StripeException>());
        Assert.That(_server.Attempts, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task TheErrorMiddlewareAnswersEveryStripeFailureByTheOneRule()
    {
        var mapper = new StripeFailureProblems(Options.Create(new StripeOptions { RetryAfterSeconds = 9 }));
        Assert.That(mapper.ToProblem(new InvalidOperationException()), Is.Null, "not a Stripe failure");
        Assert.That(mapper.ToProblem(new StripeConnectionException("down"))!.RetryAfterSeconds, Is.EqualTo(9));

        _server.Then(ScriptedResponse.Json(402, Sample("402.card_error.card_declined.json")));
        var declined = Assert.ThrowsAsync<StripeNet.StripeException>(() => Client().V1.Customers.GetAsync("cus_1"));
        var problem = mapper.ToProblem(declined!)!;
        Assert.That((problem.Status, problem.Extensions!["stripe_decline_code"]), Is.EqualTo((502, (object?)"insufficient_funds")));
        await Task.CompletedTask;
    }

    [Test]
    public async Task AutoPagingFollowsHasMoreWithStartingAfter()
    {
        _server.Then(ScriptedResponse.Json(200, """{"object":"list","has_more":true,"url":"/v1/prices","data":[{"id":"price_3","object":"price"},{"id":"price_2","object":"price"}]}"""))
            .Then(ScriptedResponse.Json(200, """{"object":"list","has_more":false,"url":"/v1/prices","data":[{"id":"price_1","object":"price"}]}"""));

        var ids = new List<string>();
        await foreach (var p in Client().V1.Prices.ListAutoPagingAsync(new StripeNet.PriceListOptions { Active = true, Limit = 2 }))
        {
            ids.Add(p.Id);
        }

        Assert.That(ids, Is.EqualTo(new[] { "price_3", "price_2", "price_1" }));
        Assert.That(_server.Attempts.Select(a => a.PathAndQuery), Is.EqualTo(new[]
        {
            "/_stripe/v1/prices?active=true&limit=2",
            "/_stripe/v1/prices?active=true&limit=2&starting_after=price_2",
        }));
    }
}
