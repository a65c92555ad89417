using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Monetization.Stripe.Internal;

/// <summary>
/// Sends one logical Stripe call: builds the URL/body, adds the headers, runs the attempts through a Polly
/// <see cref="ResiliencePipeline"/> (retry with exponential backoff + jitter around a per-attempt timeout), maps error
/// responses to <see cref="StripeException"/> subclasses and deserialises the JSON result.
/// </summary>
internal sealed partial class StripeHttpTransport
{
    private static readonly MediaTypeHeaderValue FormContentType = new("application/x-www-form-urlencoded");
    private static readonly MediaTypeWithQualityHeaderValue JsonAccept = new("application/json");

    private readonly HttpClient _http;
    private readonly StripeOptions _options;
    private readonly ResiliencePipeline _pipeline;
    private readonly ILogger _logger;

    public StripeHttpTransport(HttpClient http, IOptions<StripeOptions> options, ILogger<StripeHttpTransport> logger)
    {
        _http = http;
        _options = options.Value;
        _logger = logger;
        _pipeline = BuildPipeline(_options, logger);
    }

    /// <summary>Builds the retry/timeout pipeline. Delays and timeouts run on real time, independent of any test clock.</summary>
    internal static ResiliencePipeline BuildPipeline(StripeOptions options, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = TimeProvider.System };
        if (options.MaxNetworkRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxNetworkRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(Math.Max(0, options.RetryBaseDelayMilliseconds)),
                MaxDelay = TimeSpan.FromMilliseconds(Math.Max(1, options.RetryMaxDelayMilliseconds)),
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && IsRetryable(ex)),
                OnRetry = args =>
                {
                    LogRetry(logger, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds, args.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            });
        }

        if (options.TimeoutSeconds > 0)
        {
            builder.AddTimeout(TimeSpan.FromSeconds(options.TimeoutSeconds));
        }

        return builder.Build();
    }

    /// <summary>
    /// Retry rule (stripe-node <c>_shouldRetry</c> plus 429): a <c>Stripe-Should-Retry</c> header wins when present;
    /// otherwise connection faults/timeouts, 409 (lock_timeout, concurrent use of a key), 429 and 5xx are retried.
    /// </summary>
    internal static bool IsRetryable(Exception exception) => exception switch
    {
        TimeoutRejectedException => true,
        StripeConnectionException => true,
        StripeException { ShouldRetry: { } header } => header,
        StripeException { HttpStatus: 409 or 429 or >= 500 } => true,
        _ => false,
    };

    public Task<T> GetAsync<T>(string path, FormWriter? query, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        SendAsync<T>(HttpMethod.Get, path, query, options, cancellationToken);

    public Task<T> PostAsync<T>(string path, FormWriter? body, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        SendAsync<T>(HttpMethod.Post, path, body, options, cancellationToken);

    public Task<T> DeleteAsync<T>(string path, FormWriter? query, StripeRequestOptions? options, CancellationToken cancellationToken) =>
        SendAsync<T>(HttpMethod.Delete, path, query, options, cancellationToken);

    public async Task<T> SendAsync<T>(HttpMethod method, string path, FormWriter? parameters, StripeRequestOptions? options, CancellationToken cancellationToken)
    {
        var encoded = parameters is null || parameters.IsEmpty ? null : parameters.Encode();
        var isPost = method == HttpMethod.Post;

        // One key per logical call, reused by every retry of it (docs.stripe.com/idempotency).
        var idempotencyKey = isPost ? options?.IdempotencyKey ?? Guid.NewGuid().ToString("D") : null;
        var uri = new Uri(_options.ApiBase.TrimEnd('/') + path + (!isPost && encoded is not null ? "?" + encoded : ""));
        var body = isPost ? Encoding.UTF8.GetBytes(encoded ?? "") : null;
        var state = new Attempt(method, uri, body, idempotencyKey, options?.StripeAccount);

        try
        {
            return await _pipeline.ExecuteAsync(
                static async (s, token) => await s.Transport.SendOnceAsync<T>(s.Attempt, token),
                (Transport: this, Attempt: state),
                cancellationToken);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new StripeConnectionException(
                $"Stripe {method} {path} timed out after {_options.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s (attempts: {state.Count}).", ex);
        }
    }

    private async Task<T> SendOnceAsync<T>(Attempt attempt, CancellationToken cancellationToken)
    {
        attempt.Count++;
        using var request = new HttpRequestMessage(attempt.Method, attempt.Uri);
        if (!string.IsNullOrEmpty(_options.SecretKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.SecretKey);
        }

        request.Headers.Accept.Add(JsonAccept);
        request.Headers.TryAddWithoutValidation("Stripe-Version", _options.ApiVersion);
        if (attempt.IdempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", attempt.IdempotencyKey);
        }

        if (!string.IsNullOrEmpty(attempt.StripeAccount))
        {
            request.Headers.TryAddWithoutValidation("Stripe-Account", attempt.StripeAccount);
        }

        if (attempt.Body is not null)
        {
            request.Content = new ByteArrayContent(attempt.Body);
            request.Content.Headers.ContentType = FormContentType;
        }

        byte[] payload;
        int status;
        string? requestId;
        bool? shouldRetry;
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            payload = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            status = (int)response.StatusCode;
            requestId = Header(response, "Request-Id");
            shouldRetry = Header(response, "Stripe-Should-Retry") is { } h && bool.TryParse(h, out var b) ? b : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new StripeConnectionException($"Could not reach Stripe ({attempt.Method} {attempt.Uri.AbsolutePath}): {ex.Message}", ex);
        }

        if (status is >= 200 and < 300)
        {
            try
            {
                return StripeJson.Deserialize<T>(payload);
            }
            catch (JsonException ex)
            {
                throw new StripeApiException(null, status, requestId, shouldRetry, ex);
            }
        }

        var error = ReadError(payload);
        LogError(_logger, attempt.Method.Method, attempt.Uri.AbsolutePath, status, error?.Type, error?.Code, requestId);
        throw MapError(status, error, requestId, shouldRetry);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static StripeError? ReadError(byte[] payload)
    {
        try
        {
            return payload.Length == 0 ? null : JsonSerializer.Deserialize<ErrorEnvelope>(payload, StripeJson.Options)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Status-first mapping, as stripe-node does it (ENDPOINTS.md, "Errors").</summary>
    internal static StripeException MapError(int status, StripeError? error, string? requestId, bool? shouldRetry) => status switch
    {
        401 => new StripeAuthenticationException(error, status, requestId, shouldRetry),
        403 => new StripePermissionException(error, status, requestId, shouldRetry),
        429 => new StripeRateLimitException(error, status, requestId, shouldRetry),
        400 when error?.Code == "rate_limit" => new StripeRateLimitException(error, status, requestId, shouldRetry),
        _ when error?.Type == "idempotency_error" => new StripeIdempotencyException(error, status, requestId, shouldRetry),
        402 => new StripeCardException(error, status, requestId, shouldRetry),
        _ when error?.Type == "card_error" => new StripeCardException(error, status, requestId, shouldRetry),
        >= 500 => new StripeApiException(error, status, requestId, shouldRetry),
        >= 400 when error?.Type != "api_error" => new StripeInvalidRequestException(error, status, requestId, shouldRetry),
        _ => new StripeApiException(error, status, requestId, shouldRetry),
    };

    /// <summary>Walks every page of a list (<c>starting_after</c> = last id) until <c>has_more</c> is false.</summary>
    public static async IAsyncEnumerable<T> AutoPageAsync<T>(
        Func<string?, CancellationToken, Task<StripeList<T>>> fetchPage,
        string? startingAfter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : IStripeEntity
    {
        var cursor = startingAfter;
        while (true)
        {
            var page = await fetchPage(cursor, cancellationToken);
            foreach (var item in page.Data)
            {
                yield return item;
            }

            if (!page.HasMore || page.Data.Count == 0)
            {
                yield break;
            }

            cursor = page.Data[^1].Id;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe call failed, retry {Retry} in {DelayMs} ms: {Reason}")]
    private static partial void LogRetry(ILogger logger, int retry, double delayMs, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe {Method} {Path} answered {Status} {Type}/{Code} (request {RequestId})")]
    private static partial void LogError(ILogger logger, string method, string path, int status, string? type, string? code, string? requestId);

    private sealed class Attempt(HttpMethod method, Uri uri, byte[]? body, string? idempotencyKey, string? stripeAccount)
    {
        public HttpMethod Method { get; } = method;
        public Uri Uri { get; } = uri;
        public byte[]? Body { get; } = body;
        public string? IdempotencyKey { get; } = idempotencyKey;
        public string? StripeAccount { get; } = stripeAccount;
        public int Count { get; set; }
    }

    private sealed class ErrorEnvelope
    {
        public StripeError? Error { get; init; }
    }
}
