using Monetization.BuildingBlocks.Telemetry;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monetization.Webhooks.Data;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Delivery;

/// <summary>
/// One attempt of one leased delivery: signs the stored body with the endpoint's secret (and the previous one during a
/// rotation), POSTs it with the Standard Webhooks headers, and records the outcome in one short transaction: 2xx delivered;
/// 410 Gone disables the endpoint; anything else (another status, refused, timeout) is retried with exponential backoff
/// and jitter until the delivery's give-up time, and an endpoint failing for <c>Webhooks:RetryHours</c> is disabled.
/// The outcome is recorded only while this attempt still holds the lease, so a Host that lost it records nothing twice.
/// </summary>
internal sealed partial class WebhookSender(
    WebhooksDbContext db, IHttpClientFactory http, TimeProvider clock, EndpointDirectory directory, IOptions<WebhooksOptions> options, ILogger<WebhookSender> logger)
{
    /// <summary>Longest answer body kept on the delivery.</summary>
    public const int MaxResponseChars = 1024;

    /// <summary>Sends <paramref name="deliveryId"/> (leased until <paramref name="leaseUntil"/>) and records the outcome.</summary>
    public async Task SendAsync(string deliveryId, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        var delivery = await db.Deliveries.AsNoTracking().SingleAsync(d => d.Id == deliveryId, ct);
        var endpoint = await db.Endpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == delivery.EndpointId, ct);
        var message = await db.Messages.AsNoTracking().SingleAsync(m => m.Id == delivery.MessageId, ct);
        if (endpoint is null)
        {
            return; // deleted meanwhile; its deliveries went with it
        }

        int? status = null;
        string? body = null;
        string? error = null;
        var now = clock.GetUtcNow();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var timestamp = now.ToUnixTimeSeconds();
            var secrets = endpoint.PreviousSecret is { } previous && endpoint.PreviousSecretExpiresAt > now ? new[] { endpoint.Secret, previous } : [endpoint.Secret];
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
            {
                Content = new StringContent(message.Payload, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("webhook-id", message.Id);
            request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", StandardWebhookSignature.Header(secrets, message.Id, timestamp, message.Payload));
            using var response = await http.CreateClient(WebhooksModule.HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            status = (int)response.StatusCode;
            body = await ReadSomeAsync(response, ct);
        }
        catch (HttpRequestException e)
        {
            error = $"{e.GetType().Name}: {e.Message}";
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            error = $"No answer within {options.Value.RequestTimeoutSeconds} s.";
        }

        var outcome = new KeyValuePair<string, object?>("outcome", status switch
        {
            >= 200 and < 300 => "delivered",
            (int)HttpStatusCode.Gone => "gone",
            null => "no_answer",
            _ => "failed",
        });
        MonetizationTelemetry.WebhookDeliveryAttempts.Add(1, outcome);
        if (MonetizationTelemetry.WebhookDeliveryDuration.Enabled)
        {
            MonetizationTelemetry.WebhookDeliveryDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, outcome);
        }

        await RecordAsync(deliveryId, leaseUntil, status, body, error, ct);
    }

    private async Task RecordAsync(string deliveryId, DateTimeOffset leaseUntil, int? status, string? body, string? error, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        db.ChangeTracker.Clear();
        await using var transaction = await db.BeginWriteTransactionAsync(ct);
        var delivery = await db.Deliveries.SingleOrDefaultAsync(d => d.Id == deliveryId, ct);
        if (delivery is null || delivery.LeaseUntil != leaseUntil || delivery.Status != DeliveryStatuses.Pending)
        {
            return; // deleted, or the lease passed to another attempt
        }

        var endpoint = await db.Endpoints.SingleOrDefaultAsync(e => e.Id == delivery.EndpointId, ct);
        delivery.Attempts++;
        delivery.LastAttemptAt = now;
        delivery.LastStatusCode = status;
        delivery.LastResponseBody = body;
        delivery.LastError = error;
        delivery.LeaseUntil = null;
        if (status is >= 200 and < 300)
        {
            delivery.Status = DeliveryStatuses.Delivered;
            delivery.DeliveredAt = now;
            delivery.NextAttemptAt = null;
            if (endpoint is not null)
            {
                endpoint.FailingSince = null;
            }
        }
        else if (status == (int)HttpStatusCode.Gone)
        {
            delivery.Status = DeliveryStatuses.Failed;
            delivery.NextAttemptAt = null;
            Disable(endpoint, now, "The endpoint answered 410 Gone.");
        }
        else
        {
            if (now >= delivery.GiveUpAt)
            {
                delivery.Status = DeliveryStatuses.Failed;
                delivery.NextAttemptAt = null;
            }
            else
            {
                delivery.NextAttemptAt = now + Backoff(delivery.Attempts);
            }

            if (endpoint is not null)
            {
                endpoint.FailingSince ??= now;
                var window = TimeSpan.FromHours(options.Value.RetryHours);
                if (now - endpoint.FailingSince.Value >= window)
                {
                    Disable(endpoint, now, $"Every delivery failed since {endpoint.FailingSince.Value.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z ({options.Value.RetryHours} hours).");
                }
            }

            LogAttemptFailed(logger, delivery.Id, delivery.EndpointId, delivery.Attempts, status, error);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private void Disable(Domain.WebhookEndpoint? endpoint, DateTimeOffset now, string reason)
    {
        if (endpoint is null || !endpoint.Enabled)
        {
            return;
        }

        endpoint.Enabled = false;
        endpoint.DisabledAt = now;
        endpoint.DisabledReason = reason;
        endpoint.UpdatedAt = now;
        directory.Invalidate();
        LogDisabled(logger, endpoint.Id, reason);
    }

    /// <summary><c>FirstRetrySeconds</c> × 2^(attempts−1), at most <c>MaxRetrySeconds</c>, times a random 80–120 % (jitter).</summary>
    private TimeSpan Backoff(int attempts)
    {
        var o = options.Value;
        var seconds = Math.Min((long)o.FirstRetrySeconds << Math.Min(attempts - 1, 20), o.MaxRetrySeconds);
        return TimeSpan.FromSeconds(seconds * Random.Shared.Next(80, 121) / 100.0);
    }

    private static async Task<string> ReadSomeAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var buffer = new char[MaxResponseChars];
        var read = await reader.ReadBlockAsync(buffer.AsMemory(), ct);
        return new string(buffer, 0, read);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} to {EndpointId} failed (attempt {Attempts}, status {Status}): {Error}")]
    private static partial void LogAttemptFailed(ILogger logger, string deliveryId, string endpointId, int attempts, int? status, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook endpoint {EndpointId} disabled: {Reason}")]
    private static partial void LogDisabled(ILogger logger, string endpointId, string reason);
}
