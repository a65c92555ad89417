using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Monetization.StripeEmulator.State;

namespace Monetization.StripeEmulator.Webhooks;

/// <summary>
/// Delivers events to the webhook URL in creation order, signed, one pump at a time, never under the state lock.
/// Failed deliveries are retried in the background with exponential backoff.
/// </summary>
internal sealed class Delivery : IDisposable
{
    private static readonly AsyncLocal<bool> InsideDelivery = new();
    private readonly object _queueLock = new();
    private readonly List<Item> _queue = [];
    private readonly List<JsonObject> _log = [];
    private readonly SemaphoreSlim _pump = new(1, 1);
    private readonly EmulatorClock _clock;
    private readonly ILogger _logger;
    private HttpClient? _client;
    private Uri? _url;

    public Delivery(EmulatorClock clock, string secret, ILogger logger)
    {
        _clock = clock;
        Secret = secret;
        _logger = logger;
    }

    public string Secret { get; }

    public bool Duplicate { get; set; }

    public bool Shuffle { get; set; }

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public int MaxAttempts { get; set; } = 6;

    public bool Configured => _url is not null;

    public void Configure(Uri? url, Func<HttpMessageHandler>? handlerFactory)
    {
        var old = _client;
        _url = url;
        _client = url is null ? null : new HttpClient(handlerFactory?.Invoke() ?? new SocketsHttpHandler(), disposeHandler: true)
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        old?.Dispose();
    }

    public void Enqueue(IEnumerable<JsonObject> events)
    {
        if (_url is null)
        {
            return;
        }

        lock (_queueLock)
        {
            foreach (var evt in events)
            {
                _queue.Add(new Item((string)evt["id"]!, (string)evt["type"]!, evt.ToJsonString(Http.ApiPipeline.Pretty), 1));
            }
        }
    }

    public List<JsonNode> Log()
    {
        lock (_queueLock)
        {
            return _log.Select(e => e.DeepClone()).ToList();
        }
    }

    public void ClearLog()
    {
        lock (_queueLock)
        {
            _log.Clear();
        }
    }

    /// <summary>Starts delivering whatever is queued without waiting (used after API calls).</summary>
    public void DeliverInBackground() => _ = Task.Run(() => DeliverPendingAsync(CancellationToken.None));

    /// <summary>Delivers everything queued (and anything queued meanwhile) before returning.</summary>
    public async Task DeliverPendingAsync(CancellationToken cancellationToken)
    {
        if (InsideDelivery.Value)
        {
            // Called back from inside a webhook handler: waiting here would deadlock the outer delivery.
            DeliverInBackgroundDetached();
            return;
        }

        await _pump.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            InsideDelivery.Value = true;
            while (true)
            {
                List<Item> batch;
                lock (_queueLock)
                {
                    batch = _queue.ToList();
                    _queue.Clear();
                }

                if (batch.Count == 0)
                {
                    break;
                }

                if (Shuffle && batch.Count > 1)
                {
                    Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch));
                }

                foreach (var item in batch)
                {
                    await SendAsync(item, duplicate: false, cancellationToken).ConfigureAwait(false);
                    if (Duplicate)
                    {
                        await SendAsync(item, duplicate: true, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            InsideDelivery.Value = false;
            _pump.Release();
        }
    }

    private void DeliverInBackgroundDetached()
    {
        using (ExecutionContext.SuppressFlow())
        {
            DeliverInBackground();
        }
    }

    private async Task SendAsync(Item item, bool duplicate, CancellationToken cancellationToken)
    {
        var client = _client;
        var url = _url;
        if (client is null || url is null)
        {
            return;
        }

        int status;
        string? error = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url);
            request.Content = new StringContent(item.Body, Encoding.UTF8, "application/json");
            request.Headers.TryAddWithoutValidation("Stripe-Signature", Signature.Header(Secret, _clock.NowUnix, item.Body));
            request.Headers.TryAddWithoutValidation("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)");
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            status = (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or IOException)
        {
            status = 0;
            error = ex.Message;
        }

        var ok = status is >= 200 and < 300;
        lock (_queueLock)
        {
            _log.Add(new JsonObject
            {
                ["event_id"] = item.EventId,
                ["type"] = item.Type,
                ["status"] = status,
                ["attempt"] = item.Attempt,
                ["duplicate"] = duplicate,
                ["error"] = error,
                ["delivered_at"] = _clock.NowUnix,
            });
        }

        if (!ok && !duplicate)
        {
            _logger.LogWarning("Webhook {EventId} ({Type}) attempt {Attempt} failed: {Status} {Error}", item.EventId, item.Type, item.Attempt, status, error);
            if (item.Attempt < MaxAttempts)
            {
                var delay = RetryBaseDelay * Math.Pow(2, item.Attempt - 1);
                using (ExecutionContext.SuppressFlow())
                {
                    _ = RetryLaterAsync(item with { Attempt = item.Attempt + 1 }, delay);
                }
            }
        }
    }

    private async Task RetryLaterAsync(Item item, TimeSpan delay)
    {
        await Task.Delay(delay).ConfigureAwait(false);
        lock (_queueLock)
        {
            _queue.Add(item);
        }

        await DeliverPendingAsync(CancellationToken.None).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _client?.Dispose();
        _pump.Dispose();
    }

    private sealed record Item(string EventId, string Type, string Body, int Attempt);
}
